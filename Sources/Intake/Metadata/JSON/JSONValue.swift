/// A parsed JSON value that remembers where it started, so every problem can name its line.
///
/// Objects keep their members in order and with duplicates, so readers can report duplicate keys
/// (most JSON parsers silently keep one of them).
struct JSONValue: Sendable {
    enum Kind: Sendable {
        case null
        case bool(Bool)
        /// The number's text exactly as written, so integers are checked without going through `Double`.
        case number(String)
        case string(String)
        case array([JSONValue])
        case object([Member])
    }

    struct Member: Sendable {
        var key: String
        var value: JSONValue
    }

    var kind: Kind
    var line: Int
    var column: Int

    /// The JSON type name, for messages.
    var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    var isNull: Bool { if case .null = kind { true } else { false } }

    /// The first member named `key` of an object.
    func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }
}

/// Where and why a JSON text is not valid JSON.
struct JSONSyntaxError: Error, Sendable {
    var message: String
    var line: Int
    var column: Int
}
