import DDEXModel

/// A statement period written in DSR syntax: `2026`, `2026-Q4`, `2026-10`, `2026-W42`, `2026-10-07`, or
/// `2026-10-01--2026-10-31`. It is a closed range of days.
public struct StatementPeriod: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        case year, quarter, month, week, day, range
    }

    public let kind: Kind
    public let start: CivilDate
    public let end: CivilDate

    /// Parses a period, rejecting anything that is not one of the DSR forms or not in the calendar.
    public init(parsing text: String) throws(IdentifierError) {
        func fail(_ why: String = "is not a period: write 2026, 2026-Q4, 2026-10, 2026-W42, 2026-10-07 or 2026-10-01--2026-10-31") -> IdentifierError {
            IdentifierError(.periodInvalid, value: text, reason: why)
        }
        let b = Array(text.utf8)
        if let dash = text.range(of: "--") {
            guard let s = CivilDate(parsing: text[..<dash.lowerBound]), let e = CivilDate(parsing: text[dash.upperBound...]) else {
                throw fail()
            }
            guard s <= e else { throw fail("ends before it starts") }
            self.init(kind: .range, start: s, end: e)
            return
        }
        guard b.count >= 4, let year = CivilDate.number(b[0..<4]), (1000...9999).contains(year) else { throw fail() }
        if b.count == 4 {
            self.init(kind: .year, start: CivilDate(year: year, month: 1, day: 1)!, end: CivilDate(year: year, month: 12, day: 31)!)
            return
        }
        guard b[4] == UInt8(ascii: "-") else { throw fail() }
        if b.count == 7, b[5] == UInt8(ascii: "Q") {
            guard let q = CivilDate.number(b[6..<7]), (1...4).contains(q) else { throw fail("has a quarter other than Q1 to Q4") }
            let first = (q - 1) * 3 + 1
            self.init(kind: .quarter, start: CivilDate(year: year, month: first, day: 1)!,
                      end: CivilDate(year: year, month: first + 2, day: CivilCalendar.daysIn(month: first + 2, year: year))!)
            return
        }
        if b.count == 8, b[5] == UInt8(ascii: "W") {
            guard let w = CivilDate.number(b[6..<8]), w >= 1, let monday = StatementPeriod.isoWeekMonday(year: year, week: w) else {
                throw fail("is not an ISO week of \(year)")
            }
            self.init(kind: .week, start: monday, end: monday.adding(days: 6)!)
            return
        }
        if b.count == 7 {
            guard let m = CivilDate.number(b[5..<7]), let s = CivilDate(year: year, month: m, day: 1) else { throw fail("has an impossible month") }
            self.init(kind: .month, start: s, end: CivilDate(year: year, month: m, day: CivilCalendar.daysIn(month: m, year: year))!)
            return
        }
        if b.count == 10 {
            guard let d = CivilDate(parsing: text) else { throw fail("is not a day of the calendar") }
            self.init(kind: .day, start: d, end: d)
            return
        }
        throw fail()
    }

    /// A period from its parts; `start` must not be after `end`.
    public init(kind: Kind, start: CivilDate, end: CivilDate) {
        precondition(start <= end)
        self.kind = kind
        self.start = start
        self.end = end
    }

    /// A range of days (`range` kind).
    public init?(from start: CivilDate, to end: CivilDate) {
        guard start <= end else { return nil }
        self.init(kind: .range, start: start, end: end)
    }

    /// True when the usage period `start...end` of a report lies entirely in this period.
    public func contains(start: CivilDate, end: CivilDate) -> Bool {
        self.start <= start && end <= self.end
    }

    public func contains(_ other: StatementPeriod) -> Bool { contains(start: other.start, end: other.end) }

    /// Number of days in the period.
    public var dayCount: Int { end.dayNumber - start.dayNumber + 1 }

    /// The period of the same kind just before this one (the previous month, quarter, ...).
    public var previous: StatementPeriod? {
        guard let dayBefore = start.adding(days: -1) else { return nil }
        switch kind {
        case .year:
            return try? StatementPeriod(parsing: String(start.year - 1))
        case .quarter:
            let q = (dayBefore.month - 1) / 3 + 1
            return try? StatementPeriod(parsing: "\(dayBefore.year)-Q\(q)")
        case .month:
            guard let s = CivilDate(year: dayBefore.year, month: dayBefore.month, day: 1) else { return nil }
            return StatementPeriod(kind: .month, start: s, end: dayBefore)
        case .week, .day, .range:
            guard let s = start.adding(days: -dayCount) else { return nil }
            return StatementPeriod(kind: kind, start: s, end: dayBefore)
        }
    }

    /// The period as the DSR writes it.
    public var description: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        switch kind {
        case .year: return String(start.year)
        case .quarter: return "\(start.year)-Q\((start.month - 1) / 3 + 1)"
        case .month: return "\(start.year)-\(two(start.month))"
        case .week:
            let thursday = start.adding(days: 3)!
            let week = (thursday.dayNumber - StatementPeriod.isoWeekMonday(year: thursday.year, week: 1)!.dayNumber) / 7 + 1
            return "\(thursday.year)-W\(two(week))"
        case .day: return start.description
        case .range: return "\(start)--\(end)"
        }
    }

    /// Monday of ISO week `week` of `year`, or nil when the year has fewer weeks.
    static func isoWeekMonday(year: Int, week: Int) -> CivilDate? {
        guard let jan4 = CivilDate(year: year, month: 1, day: 4) else { return nil }
        // 1970-01-01 was a Thursday: weekday 0 = Monday.
        let weekday = ((jan4.dayNumber + 3) % 7 + 7) % 7
        let week1 = jan4.dayNumber - weekday
        guard let monday = CivilDate(dayNumber: week1 + (week - 1) * 7), let thursday = monday.adding(days: 3),
              thursday.year == year else { return nil }
        return monday
    }

    public static func < (lhs: StatementPeriod, rhs: StatementPeriod) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try StatementPeriod(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
