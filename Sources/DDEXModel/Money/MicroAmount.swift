/// An amount of money in micro-units (1/1,000,000 of the currency unit), held exactly in 64 bits.
///
/// Never a floating-point number: decimal text is parsed digit by digit, and digits beyond the sixth
/// decimal are rounded half-even once, on input (ACCOUNTING.md).
public struct MicroAmount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    AdditiveArithmetic
{
    public static let unitsPerWhole: Int64 = 1_000_000
    public static let zero = MicroAmount(micro: 0)

    public var micro: Int64

    public init(micro: Int64) { self.micro = micro }

    /// Parses `-12.345`, `5000.00`, `0.123456789012`, `+3`, `.5` exactly (half-even beyond 6 decimals).
    public init(parsing text: some StringProtocol) throws(IdentifierError) {
        var bytes = Array(text.utf8)[...]
        func fail(_ why: String) -> IdentifierError {
            IdentifierError(.amountInvalid, value: String(text), reason: why)
        }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { throw fail("is not a decimal number") }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var seenDigit = false
        var roundDigit: UInt8? = nil  // the 7th decimal
        var stickyNonZero = false     // any non-zero digit after the 7th decimal
        for c in bytes {
            if c == UInt8(ascii: ".") {
                guard !seenPoint else { throw fail("has two decimal points") }
                seenPoint = true
                continue
            }
            guard c >= 0x30, c <= 0x39 else { throw fail("is not a decimal number") }
            seenDigit = true
            let d = Int64(c - 0x30)
            if !seenPoint {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(d)
                guard !o1, !o2, a <= Int64.max / MicroAmount.unitsPerWhole else { throw fail("is too large") }
                whole = a
            } else if fractionDigits < 6 {
                fraction = fraction * 10 + d
                fractionDigits += 1
            } else if roundDigit == nil {
                roundDigit = c - 0x30
            } else if d != 0 {
                stickyNonZero = true
            }
        }
        guard seenDigit else { throw fail("is not a decimal number") }
        while fractionDigits < 6 { fraction *= 10; fractionDigits += 1 }
        var micro = whole * MicroAmount.unitsPerWhole + fraction
        if let r = roundDigit {
            // Half-even on the magnitude: > half up, < half down, exactly half to even.
            if r > 5 || (r == 5 && (stickyNonZero || micro % 2 == 1)) { micro += 1 }
        }
        self.micro = negative ? -micro : micro
    }

    /// Plain decimal text with all six decimals, e.g. `-12.345000`.
    public var description: String {
        let sign = micro < 0 ? "-" : ""
        let magnitude = micro.magnitude
        let whole = magnitude / UInt64(MicroAmount.unitsPerWhole)
        let frac = String(magnitude % UInt64(MicroAmount.unitsPerWhole))
        return "\(sign)\(whole).\(String(repeating: "0", count: 6 - frac.count))\(frac)"
    }

    /// Rounded half-even to `decimals` (0...6) places, for display only.
    public func formatted(decimals: Int) -> String {
        var bytes: [UInt8] = []
        appendFormatted(decimals: decimals, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `formatted(decimals:)`'s text to `bytes` without building a `String` (renderers writing millions
    /// of amounts).
    public func appendFormatted(decimals: Int, to bytes: inout [UInt8]) {
        precondition((0...6).contains(decimals))
        let step = Int64(pow10(6 - decimals))
        let rounded = MicroAmount.divideHalfEven(micro, by: step)
        if rounded < 0 { bytes.append(UInt8(ascii: "-")) }
        let mag = rounded.magnitude
        guard decimals > 0 else { return Self.appendDigits(mag, minimumCount: 1, to: &bytes) }
        let scale = UInt64(pow10(decimals))
        Self.appendDigits(mag / scale, minimumCount: 1, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        Self.appendDigits(mag % scale, minimumCount: decimals, to: &bytes)
    }

    /// Appends the decimal digits of `value`, left-padded with zeros to `minimumCount`.
    public static func appendDigits(_ value: UInt64, minimumCount: Int, to bytes: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits, without allocating
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            for _ in count..<max(count, minimumCount) { bytes.append(UInt8(ascii: "0")) }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }

    private func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }

    /// `a / b` rounded half-even (b > 0).
    public static func divideHalfEven(_ a: Int64, by b: Int64) -> Int64 {
        precondition(b > 0)
        let q = a / b, r = a % b
        let twice = r.magnitude * 2
        if twice > b.magnitude || (twice == b.magnitude && q % 2 != 0) {
            return a < 0 ? q - 1 : q + 1
        }
        return q
    }

    public static func < (lhs: MicroAmount, rhs: MicroAmount) -> Bool { lhs.micro < rhs.micro }
    public static func + (lhs: MicroAmount, rhs: MicroAmount) -> MicroAmount { MicroAmount(micro: lhs.micro + rhs.micro) }
    public static func - (lhs: MicroAmount, rhs: MicroAmount) -> MicroAmount { MicroAmount(micro: lhs.micro - rhs.micro) }
    public static prefix func - (x: MicroAmount) -> MicroAmount { MicroAmount(micro: -x.micro) }

    public init(from decoder: any Decoder) throws {
        micro = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(micro)
    }
}
