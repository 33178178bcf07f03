import DDEXModel

/// An exchange rate held exactly as a decimal: `mantissa / 10^scale` accounting-currency units per unit.
///
/// Rates are never floating point: `0.937120` is 937120 / 10^6. Up to 18 decimals are kept exactly, so the
/// conversion `amount × rate` rounds once (half-even) and nowhere else.
public struct ExchangeRate: Sendable, Hashable, Codable, CustomStringConvertible {
    public let mantissa: UInt64
    public let scale: Int

    /// The rate `mantissa / 10^scale`; `scale` is 0...18.
    public init(mantissa: UInt64, scale: Int) {
        precondition((0...18).contains(scale))
        self.mantissa = mantissa
        self.scale = scale
    }

    /// Parses a positive decimal such as `1.1455` or `0.006196` exactly.
    public init(parsing text: some StringProtocol) throws(IdentifierError) {
        func fail(_ why: String) -> IdentifierError {
            IdentifierError(.rateInvalid, value: String(text), reason: why)
        }
        var mantissa: UInt64 = 0
        var scale = 0
        var seenPoint = false
        var digits = 0
        for c in text.utf8 {
            if c == UInt8(ascii: ".") {
                guard !seenPoint else { throw fail("has two decimal points") }
                seenPoint = true
                continue
            }
            guard c >= 0x30, c <= 0x39 else { throw fail("is not a positive decimal number") }
            let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
            guard !o1, !o2 else { throw fail("has too many digits (at most 19 significant digits)") }
            mantissa = a
            digits += 1
            if seenPoint { scale += 1 }
        }
        guard digits > 0 else { throw fail("is not a positive decimal number") }
        guard scale <= 18 else { throw fail("has more than 18 decimals") }
        guard mantissa > 0 else { throw fail("is zero; a rate must be positive") }
        self.mantissa = mantissa
        self.scale = scale
    }

    var denominator: UInt64 {
        var d: UInt64 = 1
        for _ in 0..<scale { d *= 10 }
        return d
    }

    /// `amount × rate`, rounded half-even to micro-units; nil when the result does not fit 64 bits.
    public func convert(_ amount: MicroAmount) -> MicroAmount? {
        guard let micro = WideArithmetic.scaleHalfEven(amount.micro, numerator: mantissa, denominator: denominator) else {
            return nil
        }
        return MicroAmount(micro: micro)
    }

    public var description: String {
        var digits = String(mantissa)
        guard scale > 0 else { return digits }
        if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
        let point = digits.index(digits.endIndex, offsetBy: -scale)
        return digits[..<point] + "." + digits[point...]
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try ExchangeRate(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
