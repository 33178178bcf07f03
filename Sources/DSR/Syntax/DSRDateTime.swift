import DDEXModel

/// Dates and times as DSR files write them, turned into instants without Foundation's formatters.
public enum DSRDateTime {
    /// Milliseconds since 1970-01-01T00:00:00Z for RFC 3339 text such as `2020-07-03T07:59:30Z`,
    /// `2016-01-21T15:09:26.123+01:00`; nil when the text is not RFC 3339 with a zone.
    public static func unixMilliseconds(rfc3339 text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        guard let year = number(b, 0, 4), b[4] == 0x2D, let month = number(b, 5, 2), b[7] == 0x2D,
              let day = number(b, 8, 2), b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20,
              let hour = number(b, 11, 2), b[13] == 0x3A, let minute = number(b, 14, 2), b[16] == 0x3A,
              let second = number(b, 17, 2)
        else { return nil }
        var i = 19
        var millis = 0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if digits < 3 { millis = millis * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        guard i < b.count else { return nil }
        var offsetMinutes = 0
        if b[i] == 0x5A || b[i] == 0x7A {
            i += 1
        } else if b[i] == 0x2B || b[i] == 0x2D {
            guard i + 6 == b.count, let oh = number(b, i + 1, 2), b[i + 3] == 0x3A, let om = number(b, i + 4, 2),
                  oh < 24, om < 60 else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == 0x2D ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        guard let days = daysSinceEpoch(year: year, month: month, day: day), hour < 24, minute < 60, second <= 60 else {
            return nil
        }
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// Days from 1970-01-01 to a valid proleptic Gregorian date; nil for an impossible date.
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int? {
        guard CivilCalendar.isValid(year: year, month: month, day: day) else { return nil }
        return CivilCalendar.dayNumber(year: year, month: month, day: day)
    }

    static func number(_ bytes: [UInt8], _ offset: Int, _ length: Int) -> Int? {
        guard offset + length <= bytes.count else { return nil }
        var value = 0
        for i in offset..<(offset + length) {
            let c = bytes[i]
            guard c >= 0x30, c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return value
    }
}
