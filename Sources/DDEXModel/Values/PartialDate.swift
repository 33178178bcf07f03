/// A DDEX date (`ddex_IsoDate`): `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checked against the calendar.
public struct PartialDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int?
    public let day: Int?

    public init(year: Int, month: Int? = nil, day: Int? = nil) throws(IdentifierError) {
        let text = PartialDate.format(year, month, day)
        guard (1000...9999).contains(year) else {
            throw IdentifierError(.dateInvalid, value: text, reason: "has an impossible year")
        }
        if let month {
            guard (1...12).contains(month) else {
                throw IdentifierError(.dateInvalid, value: text, reason: "has an impossible month")
            }
            if let day {
                guard (1...CivilCalendar.daysIn(month: month, year: year)).contains(day) else {
                    throw IdentifierError(.dateInvalid, value: text, reason: "is not a day of the calendar")
                }
            }
        } else if day != nil {
            throw IdentifierError(.dateInvalid, value: text, reason: "has a day without a month")
        }
        self.year = year
        self.month = month
        self.day = day
    }

    public init(validating string: String) throws(IdentifierError) {
        let parts = string.split(separator: "-", omittingEmptySubsequences: false)
        let widths = [4, 2, 2]
        guard (1...3).contains(parts.count),
              zip(parts, widths).allSatisfy({ $0.count == $1 && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else {
            throw IdentifierError(.dateInvalid, value: string, reason: "is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        }
        try self.init(year: Int(parts[0])!, month: parts.count > 1 ? Int(parts[1])! : nil,
                      day: parts.count > 2 ? Int(parts[2])! : nil)
    }

    private static func format(_ y: Int, _ m: Int?, _ d: Int?) -> String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var s = String(y)
        if let m { s += "-" + two(m) }
        if let d { s += "-" + two(d) }
        return s
    }

    public var description: String { PartialDate.format(year, month, day) }

    /// Compares by the earliest day each date can mean.
    public static func < (lhs: PartialDate, rhs: PartialDate) -> Bool {
        (lhs.year, lhs.month ?? 1, lhs.day ?? 1) < (rhs.year, rhs.month ?? 1, rhs.day ?? 1)
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { self = try PartialDate(validating: raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
