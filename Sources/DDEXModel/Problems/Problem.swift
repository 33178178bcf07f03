/// How bad a problem is: an error stops a package (or a bundle for one DSP); a warning is reported only.
public enum Severity: String, Sendable, Codable, Hashable, Comparable {
    case error
    case warning

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .warning && rhs == .error
    }
}

/// A stable, machine-readable problem code such as `ISRC_INVALID`.
///
/// Codes are part of ddexd's public interface: status files, `validate --format json`, logs and the
/// README list them, and label systems match on them. Never rename one; add a new one instead.
/// Modules declare their own codes in `extension ProblemCode`.
public struct ProblemCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// One thing wrong with an input, with where it is and a sentence a person can act on.
///
/// `location` names the file and the place inside it: `release.json: tracks[2].isrc`,
/// `resources/01.flac`, `Config/ddexd.toml:14: dsp.spotify.ern_version`.
public struct Problem: Sendable, Codable, Hashable, CustomStringConvertible {
    public var code: ProblemCode
    public var severity: Severity
    public var location: String
    public var message: String

    public init(_ code: ProblemCode, _ severity: Severity = .error, at location: String, _ message: String) {
        self.code = code
        self.severity = severity
        self.location = location
        self.message = message
    }

    /// A problem that stops the package (or the bundle for one DSP).
    public static func error(_ code: ProblemCode, at location: String, _ message: String) -> Problem {
        Problem(code, .error, at: location, message)
    }

    /// A problem that is reported only.
    public static func warning(_ code: ProblemCode, at location: String, _ message: String) -> Problem {
        Problem(code, .warning, at: location, message)
    }

    public var description: String { "\(severity.rawValue) \(code) at \(location): \(message)" }
}

extension Array where Element == Problem {
    /// True when at least one problem is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var errors: [Problem] { filter { $0.severity == .error } }
    public var warnings: [Problem] { filter { $0.severity == .warning } }
}

/// An error that carries a stable code for status files and logs.
public protocol CodedError: Error, CustomStringConvertible {
    /// A stable code, e.g. `SFTP_HOSTKEY_MISMATCH`.
    var code: String { get }
}

/// An error that knows whether trying again later can help (network, timeout, server gone, disk full)
/// or not (authentication, host key, permission, bad input).
public protocol RetryableError: CodedError {
    /// True when the same operation may succeed later without anyone changing anything (the retry loops read it).
    var isRetryable: Bool { get }
}
