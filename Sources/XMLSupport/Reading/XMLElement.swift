/// An element of a parsed document as a plain Swift value: no libxml2 pointer survives the parse.
///
/// Names are local names (no prefix); the namespace is in `namespaceURI`. DDEX messages qualify only
/// their root element, so the helpers match children by local name. Whitespace is kept: `text` is the
/// raw concatenation of the element's own text and CDATA children (not its descendants'), and
/// `trimmedText` is that text without leading and trailing whitespace.
///
/// ```swift
/// let isrc = release.path("SoundRecordingEdition", "ResourceId", "ISRC")?.trimmedText
/// for party in root.child("PartyList")?.children("Party") ?? [] { … }
/// ```
public struct XMLElement: Sendable, Hashable {
    /// The local name, `Release` for `<ern:Release>`.
    public var name: String
    /// The namespace URI, nil when the element is in no namespace.
    public var namespaceURI: String?
    /// Attributes by local name. When an attribute in no namespace and a namespaced one share a local
    /// name, the one in no namespace is here; every namespaced attribute is also in `namespacedAttributes`.
    public var attributes: [String: String]
    /// Attributes that have a namespace, such as `xsi:schemaLocation` or `xml:lang`, in document order.
    public var namespacedAttributes: [XMLAttribute]
    /// Child elements in document order.
    public var children: [XMLElement]
    /// The element's direct text (text and CDATA children), untrimmed.
    public var text: String
    /// The line the start tag ends on (1-based): libxml2 records the line of the tag's closing `>`, which
    /// is the tag's line unless its attributes span several lines.
    public var line: Int

    public init(name: String, namespaceURI: String? = nil, attributes: [String: String] = [:],
                namespacedAttributes: [XMLAttribute] = [], children: [XMLElement] = [], text: String = "", line: Int = 0)
    {
        self.name = name
        self.namespaceURI = namespaceURI
        self.attributes = attributes
        self.namespacedAttributes = namespacedAttributes
        self.children = children
        self.text = text
        self.line = line
    }

    /// `text` without leading and trailing whitespace and newlines.
    public var trimmedText: String { text.trimmingXMLWhitespace() }

    /// The first child element with this local name.
    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// Every child element with this local name, in document order.
    public func children(_ name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// Follows the first matching child at each step: `path("ReleaseId", "ICPN")`.
    public func path(_ names: String...) -> XMLElement? {
        path(names)
    }

    /// `path(_:)` with the names in an array; nil as soon as a step has no such child.
    public func path(_ names: [String]) -> XMLElement? {
        var current = self
        for name in names {
            guard let next = current.child(name) else { return nil }
            current = next
        }
        return current
    }

    /// Every element reached by the path, fanning out at each step:
    /// `all("DealList", "ReleaseDeal")` gives every ReleaseDeal of every DealList.
    public func all(_ names: String...) -> [XMLElement] {
        all(names)
    }

    /// `all(_:)` with the names in an array; in document order, empty when a step matches nothing.
    public func all(_ names: [String]) -> [XMLElement] {
        var level = [self]
        for name in names {
            level = level.flatMap { $0.children(name) }
        }
        return level
    }

    /// The trimmed text of the first child with this name; nil when there is no such child.
    public func text(of name: String) -> String? {
        child(name)?.trimmedText
    }

    /// The trimmed texts of every child with this name.
    public func texts(of name: String) -> [String] {
        children(name).map(\.trimmedText)
    }

    /// The attribute with this local name (see `attributes`).
    public func attribute(_ name: String) -> String? {
        attributes[name]
    }

    /// The attribute with this local name in this namespace (nil namespace: no namespace).
    public func attribute(_ name: String, namespaceURI: String?) -> String? {
        guard let namespaceURI else { return attributes[name] }
        return namespacedAttributes.first { $0.name == name && $0.namespaceURI == namespaceURI }?.value
    }

    /// Every descendant element (not self) with this local name, in document order.
    public func descendants(_ name: String) -> [XMLElement] {
        var found: [XMLElement] = []
        func visit(_ element: XMLElement) {
            for child in element.children {
                if child.name == name { found.append(child) }
                visit(child)
            }
        }
        visit(self)
        return found
    }
}

/// A namespaced attribute.
public struct XMLAttribute: Sendable, Hashable {
    public var name: String
    public var namespaceURI: String
    public var value: String

    public init(name: String, namespaceURI: String, value: String) {
        self.name = name
        self.namespaceURI = namespaceURI
        self.value = value
    }
}

extension String {
    /// Trims the four XML whitespace characters (space, tab, CR, LF) only, not Unicode spaces in values.
    func trimmingXMLWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
