/// Why a string is not a valid identifier or value. `problemCode` maps it onto the stable problem codes.
public struct IdentifierError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: ProblemCode
    public let value: String
    public let reason: String

    public init(_ code: ProblemCode, value: String, reason: String) {
        self.code = code
        self.value = value
        self.reason = reason
    }

    /// The value is escaped and shortened: it is what the label sent, and may hold anything.
    public var description: String { "'\(TextRules.escaped(value))' \(reason)" }

    /// The error as a problem found at `location`.
    public func problem(at location: String, severity: Severity = .error) -> Problem {
        Problem(code, severity, at: location, description)
    }
}
