/// A duration with millisecond precision, read from and written as ISO 8601 (`PT3M25.250S`).
///
/// Only the time designators are accepted (`P…T…H…M…S` and `P…D`): `P3M` means three months in ISO 8601,
/// and a track of three months is a typo, not a duration.
public struct ISODuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// A duration from a sample count and rate, rounded to the nearest millisecond.
    public init(samples: UInt64, sampleRate: UInt32) {
        precondition(sampleRate > 0)
        let (q, r) = (samples * 1000).quotientAndRemainder(dividingBy: UInt64(sampleRate))
        milliseconds = Int64(q + (r * 2 >= UInt64(sampleRate) ? 1 : 0))
    }

    public var seconds: Double { Double(milliseconds) / 1000 }

    public init(validating string: String) throws(IdentifierError) {
        func fail() -> IdentifierError {
            IdentifierError(.durationInvalid, value: string, reason: "is not an ISO 8601 duration such as PT3M25S")
        }
        var rest = Substring(string)
        guard rest.first == "P" else { throw fail() }
        rest = rest.dropFirst()
        var total: Int64 = 0
        var inTime = false
        var sawComponent = false
        var number = ""
        for ch in rest {
            if ch == "T" {
                guard !inTime, number.isEmpty else { throw fail() }
                inTime = true
                continue
            }
            if ch.isASCII, ch.isNumber || ch == "." {
                number.append(ch)
                continue
            }
            guard !number.isEmpty else { throw fail() }
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, let whole = Int64(parts[0]), whole < 1_000_000_000 else { throw fail() }
            var fractionMs: Int64 = 0
            if parts.count == 2 {
                guard ch == "S", !parts[1].isEmpty else { throw fail() }
                var digits = String(parts[1].prefix(3))
                while digits.count < 3 { digits += "0" }
                guard let f = Int64(digits), parts[1].allSatisfy(\.isNumber) else { throw fail() }
                fractionMs = f
            }
            switch (inTime, ch) {
            case (false, "D"): total += whole * 86_400_000
            case (true, "H"): total += whole * 3_600_000
            case (true, "M"): total += whole * 60_000
            case (true, "S"): total += whole * 1000 + fractionMs
            default: throw fail()
            }
            sawComponent = true
            number = ""
        }
        guard number.isEmpty, sawComponent else { throw fail() }
        milliseconds = total
    }

    /// `PT#H#M#S` with up to three decimals, always with the `T` designator.
    public var iso8601: String {
        let h = milliseconds / 3_600_000
        let m = (milliseconds / 60_000) % 60
        let s = (milliseconds / 1000) % 60
        let ms = milliseconds % 1000
        var out = "PT"
        if h > 0 { out += "\(h)H" }
        if h > 0 || m > 0 { out += "\(m)M" }
        out += "\(s)"
        if ms > 0 {
            var frac = String(ms)
            frac = String(repeating: "0", count: 3 - frac.count) + frac
            while frac.hasSuffix("0") { frac.removeLast() }
            out += ".\(frac)"
        }
        return out + "S"
    }

    public var description: String { iso8601 }

    public static func < (lhs: ISODuration, rhs: ISODuration) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { self = try ISODuration(validating: raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso8601)
    }
}
