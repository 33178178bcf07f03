import DDEXModel

/// Why an XML document or schema could not be used, with the place libxml2 (or ddexd) found it.
public struct XMLError: CodedError, Sendable, Hashable {
    /// The stable codes; `code` returns the raw value.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Not well-formed XML.
        case malformed = "XML_MALFORMED"
        /// The document ends in the middle of an element (an interrupted upload, a cut file).
        case truncated = "XML_TRUNCATED"
        /// The document has a DOCTYPE (internal subset or external DTD): refused, never processed.
        case doctypeForbidden = "XML_DOCTYPE_FORBIDDEN"
        /// The document uses an entity other than the five predefined ones and character references.
        case entityForbidden = "XML_ENTITY_FORBIDDEN"
        /// The file is bigger than the configured limit; refused before parsing.
        case tooLarge = "XML_TOO_LARGE"
        /// The bytes do not match the declared (or default UTF-8) encoding, or the encoding is unknown.
        case encoding = "XML_ENCODING"
        /// The file is empty or holds only whitespace.
        case empty = "XML_EMPTY"
        /// The file could not be opened or read.
        case unreadable = "XML_UNREADABLE"
        /// The document does not match its XML Schema.
        case xsdInvalid = "XSD_INVALID"
        /// An XML Schema could not be loaded or compiled.
        case xsdLoadFailed = "XSD_LOAD_FAILED"
    }

    public var kind: Kind
    public var file: String
    /// 1-based line of the first error, 0 when unknown.
    public var line: Int
    /// 1-based column of the first error, 0 when unknown.
    public var column: Int
    public var message: String
    /// Every diagnostic libxml2 reported (the first one is `message`), capped at a few hundred.
    public var issues: [XMLIssue]

    public init(_ kind: Kind, file: String, line: Int = 0, column: Int = 0, message: String, issues: [XMLIssue] = []) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.issues = issues
    }

    public var code: String { kind.rawValue }

    /// `file:line:column` (line and column left out when unknown).
    public var location: String {
        var s = file
        if line > 0 {
            s += ":\(line)"
            if column > 0 { s += ":\(column)" }
        }
        return s
    }

    public var description: String { "\(location): \(code): \(message)" }

    /// The error as a `Problem`; `location` overrides the file name (e.g. the package-relative path).
    public func problem(file displayName: String? = nil) -> Problem {
        var location = displayName ?? file
        if line > 0 { location += ":\(line)" }
        return Problem.error(ProblemCode(rawValue: code), at: location, message)
    }
}
