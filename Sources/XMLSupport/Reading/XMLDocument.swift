/// A parsed XML document: its root element and the name used in error locations.
///
/// Produced only by the safe reader (`XMLDocument.read(fileAt:)`, `XMLDocument.parse(data:name:)`), which
/// refuses DTDs and entities, caps the input size and frees every libxml2 structure before returning.
public struct XMLDocument: Sendable, Hashable {
    public var root: XMLElement
    /// The file name or path given to the reader.
    public var name: String

    public init(root: XMLElement, name: String) {
        self.root = root
        self.name = name
    }
}

/// Limits for the safe reader.
public struct XMLReadOptions: Sendable, Hashable {
    /// Largest input accepted, in bytes; a bigger file is refused before it is read.
    public var maxBytes: Int

    public init(maxBytes: Int = 64 * 1024 * 1024) {
        self.maxBytes = maxBytes
    }
}
