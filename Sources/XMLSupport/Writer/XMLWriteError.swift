import DDEXModel

/// Why an XML document could not be written.
public struct XMLWriteError: CodedError, Equatable {
    /// The kind of failure; its raw value is the stable code.
    public enum Kind: String, Sendable {
        case invalidCharacter = "XML_WRITE_INVALID_CHARACTER"
        case unbalanced = "XML_WRITE_UNBALANCED"
        case misplacedAttribute = "XML_WRITE_MISPLACED_ATTRIBUTE"
        case io = "XML_WRITE_IO"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var code: String { kind.rawValue }
    public var description: String { "\(code): \(message)" }
}
