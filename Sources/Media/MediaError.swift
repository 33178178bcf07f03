import DDEXModel

/// Why a media file could not be measured: a stable problem code, the file, and a sentence naming the rule.
public struct MediaError: Error, CodedError, Sendable, Hashable {
    /// The problem code (`MEDIA_TRUNCATED`, …).
    public let problemCode: ProblemCode
    /// The package-relative path of the file (or the path given to the inspector).
    public let path: String
    /// What is wrong, with the byte offset when one is known.
    public let message: String

    public init(_ problemCode: ProblemCode, path: String, _ message: String) {
        self.problemCode = problemCode
        self.path = path
        self.message = message
    }

    public var code: String { problemCode.rawValue }
    public var description: String { "\(problemCode) \(path): \(message)" }

    /// The error as a problem located at the file.
    public func problem(severity: Severity = .error) -> Problem {
        Problem(problemCode, severity, at: path, message)
    }
}
