/// Exact integer helpers for money: 128-bit products, floor and half-even division, checked sums.
///
/// Products such as |A|·u can exceed 64 bits (57 bits at 10M lines already), so every product goes
/// through `multipliedFullWidth` and `dividingFullWidth`. These are portable to every Swift 6 platform,
/// unlike `Int128`, which needs macOS 15.
enum WideArithmetic {
    /// `a·b / c` as floor quotient and remainder, or nil when the quotient does not fit 64 bits.
    @inline(__always)
    static func multiplyDivide(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (quotient: UInt64, remainder: UInt64)? {
        precondition(c > 0, "division by zero")
        let product = a.multipliedFullWidth(by: b)
        guard product.high < c else { return nil }
        return c.dividingFullWidth(product)
    }

    /// `a·b / c` rounded half-even, or nil when it does not fit 64 bits.
    @inline(__always)
    static func multiplyDivideHalfEven(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64? {
        guard let (q, r) = multiplyDivide(a, b, c) else { return nil }
        return roundHalfEven(quotient: q, remainder: r, divisor: c)
    }

    /// Rounds `q + r/c` half-even (0 ≤ r < c), or nil when the rounded value overflows.
    @inline(__always)
    static func roundHalfEven(quotient q: UInt64, remainder r: UInt64, divisor c: UInt64) -> UInt64? {
        // Compare r with c - r instead of 2r with c: 2r can overflow 64 bits.
        let rest = c - r
        if r > rest || (r == rest && q & 1 == 1) {
            let (up, overflow) = q.addingReportingOverflow(1)
            return overflow ? nil : up
        }
        return q
    }

    /// `amount · numerator / denominator` rounded half-even, sign kept; nil when the result leaves Int64.
    static func scaleHalfEven(_ amount: Int64, numerator: UInt64, denominator: UInt64) -> Int64? {
        guard let magnitude = multiplyDivideHalfEven(amount.magnitude, numerator, denominator) else { return nil }
        return signed(magnitude, negative: amount < 0)
    }

    /// A magnitude with a sign as Int64, or nil when it does not fit.
    @inline(__always)
    static func signed(_ magnitude: UInt64, negative: Bool) -> Int64? {
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
