/// One diagnostic about an XML document: where it is and what is wrong.
public struct XMLIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line, 0 when libxml2 could not tell.
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, the form compilers use, so editors can jump to it.
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}
