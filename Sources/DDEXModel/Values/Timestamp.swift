import Foundation

/// RFC 3339 UTC timestamps with milliseconds (`2026-11-21T10:00:00.000Z`), as the store, the status files
/// and the logs write them.
public enum Timestamp {
    /// `date` (now by default) in the one timestamp format.
    public static func format(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The date an RFC 3339 timestamp names (with or without fractional seconds); nil for any other text.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
