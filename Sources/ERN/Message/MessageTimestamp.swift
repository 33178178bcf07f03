import DDEXModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant with the UTC offset it is written in: `MessageCreatedDateTime`, batch ids, folder stamps.
///
/// Formatting is done by hand (`CivilCalendar`) because it runs once per message on the hot path and
/// Foundation's formatters are slow and locale-sensitive.
public struct MessageTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64
    /// Offset from UTC in seconds (east positive) used when writing `iso8601`.
    public var utcOffsetSeconds: Int

    /// The instant `millisecondsSinceEpoch` after 1970-01-01T00:00:00Z, written with the offset `utcOffsetSeconds`
    /// (east positive; the instant does not change with it).
    public init(millisecondsSinceEpoch: Int64, utcOffsetSeconds: Int = 0) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The current time, in the machine's local offset.
    public static func now() -> MessageTimestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let ms = Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec / 1_000_000)
        var t = time_t(ts.tv_sec)
        var local = tm()
        localtime_r(&t, &local)
        return MessageTimestamp(millisecondsSinceEpoch: ms, utcOffsetSeconds: Int(local.tm_gmtoff))
    }

    /// `YYYY-MM-DDThh:mm:ssTZD`, the only form DDEX allows for message timestamps (`Z` for UTC).
    public var iso8601: String {
        let local = millisecondsSinceEpoch / 1000 + Int64(utcOffsetSeconds)
        let f = MessageTimestamp.fields(secondsSinceEpoch: local)
        var s = "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))T\(pad(f.hour, 2)):\(pad(f.minute, 2)):\(pad(f.second, 2))"
        if utcOffsetSeconds == 0 {
            s += "Z"
        } else {
            let m = abs(utcOffsetSeconds) / 60
            s += (utcOffsetSeconds < 0 ? "-" : "+") + pad(m / 60, 2) + ":" + pad(m % 60, 2)
        }
        return s
    }

    /// `YYYYMMDDhhmmssnnn` in UTC: batch ids and release-folder stamps (CHOREOGRAPHY.md §2-3).
    public var compactUTC: String {
        let (secs, ms) = millisecondsSinceEpoch.quotientAndRemainder(dividingBy: 1000)
        let f = MessageTimestamp.fields(secondsSinceEpoch: secs)
        return pad(f.year, 4) + pad(f.month, 2) + pad(f.day, 2) + pad(f.hour, 2) + pad(f.minute, 2)
            + pad(f.second, 2) + pad(Int(ms), 3)
    }

    /// The UTC calendar date, `YYYY-MM-DD`.
    public var utcDate: String {
        let f = MessageTimestamp.fields(secondsSinceEpoch: millisecondsSinceEpoch / 1000)
        return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))"
    }

    public var description: String { iso8601 }

    public static func < (a: MessageTimestamp, b: MessageTimestamp) -> Bool {
        a.millisecondsSinceEpoch < b.millisecondsSinceEpoch
    }

    /// Adds milliseconds, keeping the offset.
    public func adding(milliseconds: Int64) -> MessageTimestamp {
        MessageTimestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds, utcOffsetSeconds: utcOffsetSeconds)
    }

    private static func fields(secondsSinceEpoch: Int64)
        -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)
    {
        var days = secondsSinceEpoch / 86_400
        var rem = secondsSinceEpoch % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let date = CivilCalendar.date(dayNumber: Int(days))
        return (date.year, date.month, date.day, Int(rem / 3600), Int(rem % 3600 / 60), Int(rem % 60))
    }
}

@inline(__always)
private func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
