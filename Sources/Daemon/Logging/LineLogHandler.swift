import DDEXModel
import Foundation
import Logging

/// swift-log handler writing one line per event, friendly to journald and to `grep`.
///
/// Under systemd (`JOURNAL_STREAM` set) each line starts with the syslog priority (`<6>`) that journald
/// turns into the entry's priority, and no timestamp (journald adds its own). Elsewhere lines start with an
/// RFC 3339 UTC timestamp. Metadata follows as sorted `key=value` pairs; values with spaces are quoted.
/// Metadata whose key looks like a secret (`password`, `passphrase`, `secret`, `token`, `private_key`) is
/// written as `<redacted>`, a safety net behind the rule that secrets are never put in log metadata.
public struct LineLogHandler: LogHandler {
    /// Where the lines go: standard error for the daemon under systemd and for one-shot commands.
    public enum Stream: Sendable {
        case standardError
        case standardOutput
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public let label: String
    private let stream: Stream
    private let journald: Bool

    /// A handler for `label` writing to `stream`; `environment` decides the journald form (`JOURNAL_STREAM` set).
    public init(label: String, stream: Stream = .standardError,
                environment: [String: String] = ProcessInfo.processInfo.environment)
    {
        self.label = label
        self.stream = stream
        journald = environment["JOURNAL_STREAM"] != nil
    }

    /// The handler's own metadata (added to every line; an event's metadata wins on the same key).
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one line (see `format`), in one write call per line.
    public func log(event: LogEvent) {
        let line = format(level: event.level, message: event.message, metadata: event.metadata, date: Date())
        let data = Data((line + "\n").utf8)
        switch stream {
        case .standardError: FileHandle.standardError.write(data)
        case .standardOutput: FileHandle.standardOutput.write(data)
        }
    }

    /// The line for one event (exposed for tests).
    public func format(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, date: Date) -> String {
        var merged = metadata
        if let extra { merged.merge(extra) { _, new in new } }
        var line = journald ? "<\(Self.syslogPriority(level))>" : Timestamp.format(date) + " "
        line += "\(level.rawValue) \(label): \(Self.sanitize(message.description))"
        for key in merged.keys.sorted() {
            let value = Self.isSecret(key) ? "<redacted>" : Self.sanitize("\(merged[key]!)")
            let quoted = value.contains(" ") || value.isEmpty || value.contains("\"") ? "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"" : value
            line += " \(key)=\(quoted)"
        }
        return line
    }

    /// The level named by the environment variable `name` (`debug`, `INFO`, …, any case); nil when unset or unknown.
    public static func level(fromEnvironment name: String) -> Logger.Level? {
        ProcessInfo.processInfo.environment[name].flatMap { Logger.Level(rawValue: $0.lowercased()) }
    }

    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return ["password", "passphrase", "secret", "token", "private_key", "privatekey"].contains { k.contains($0) }
    }

    /// One event, one line: control characters become visible escapes.
    static func sanitize(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\x%02x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
