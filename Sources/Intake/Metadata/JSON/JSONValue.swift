/// A parsed JSON value (from `JSONParser`, the strict reader behind `release.json`) that remembers where it started, so every problem can name its line.
///
/// Objects keep their members in order and with duplicates, so readers can report duplicate keys
/// (most JSON parsers silently keep one of them).
public struct JSONValue: Sendable {
    /// The JSON value itself; its place in the file is on `JSONValue`.
    public enum Kind: Sendable {
        case null
        case bool(Bool)
        /// The number's text exactly as written, so integers are checked without going through `Double`.
        case number(String)
        case string(String)
        case array([JSONValue])
        case object([Member])
    }

    /// One `"key": value` of an object, in file order (duplicates kept, so they can be reported).
    public struct Member: Sendable {
        public var key: String
        public var value: JSONValue
    }

    public var kind: Kind
    public var line: Int
    public var column: Int

    /// The JSON type name, for messages.
    public var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var isNull: Bool { if case .null = kind { true } else { false } }

    /// The first member named `key` of an object.
    public func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }
}

/// Where and why a JSON text is not valid JSON.
public struct JSONSyntaxError: Error, Sendable {
    public var message: String
    public var line: Int
    public var column: Int
}
