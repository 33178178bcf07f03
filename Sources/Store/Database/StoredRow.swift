/// A row of the store read by column name, whichever engine returned it (GRDB's `Row` on SQLite,
/// `PostgresStoredRow` on PostgreSQL), so that every record decodes in one place for both engines.
///
/// The rule of every accessor: a column that is missing, NULL where a value is required, of another type, or holding
/// a value no type of ddexd has is `STORE_DECODE` naming the table and the column, never a silent default.
/// An engine implements the three optional accessors; everything else is derived from them here.
public protocol StoredRow {
    /// The text in `column`, nil when it is NULL.
    func optionalText(_ column: String, in table: String) throws(StoreError) -> String?

    /// The 64-bit integer in `column`, nil when it is NULL.
    func optionalInteger(_ column: String, in table: String) throws(StoreError) -> Int64?

    /// The double in `column`, nil when it is NULL.
    func optionalDouble(_ column: String, in table: String) throws(StoreError) -> Double?
}

extension StoredRow {
    /// The text in `column`.
    public func text(_ column: String, in table: String) throws(StoreError) -> String {
        try Self.required(optionalText(column, in: table), column, table, "String")
    }

    /// The 64-bit integer in `column`.
    public func integer(_ column: String, in table: String) throws(StoreError) -> Int64 {
        try Self.required(optionalInteger(column, in: table), column, table, "Int64")
    }

    /// The double in `column`.
    public func double(_ column: String, in table: String) throws(StoreError) -> Double {
        try Self.required(optionalDouble(column, in: table), column, table, "Double")
    }

    /// The integer in `column` as an `Int` (a count, a sequence number).
    public func int(_ column: String, in table: String) throws(StoreError) -> Int {
        let value = try integer(column, in: table)
        guard let int = Int(exactly: value) else {
            throw StoreError(.decode, message: "\(table).\(column) holds \(value), which does not fit an Int")
        }
        return int
    }

    /// A flag, which both engines store as the integer 0 or 1 (PostgreSQL's schema mirrors SQLite's, which has no
    /// boolean type); any other value is `STORE_DECODE`.
    public func flag(_ column: String, in table: String) throws(StoreError) -> Bool {
        switch try integer(column, in: table) {
        case 0: return false
        case 1: return true
        case let other: throw StoreError(.decode, message: "\(table).\(column) holds \(other), which is no flag (0 or 1)")
        }
    }

    /// A value of one of ddexd's enums (a state, a kind, an outcome) stored by its raw text; `STORE_DECODE` when the
    /// text is none of its cases.
    public func enumeration<T: RawRepresentable>(_ column: String, in table: String) throws(StoreError) -> T
        where T.RawValue == String
    {
        let text = try text(column, in: table)
        guard let value = T(rawValue: text) else {
            throw StoreError(.decode, message: "\(table).\(column) holds '\(text)', which is no \(T.self)")
        }
        return value
    }

    /// A size in bytes (both engines store it signed); `STORE_DECODE` when it is negative.
    public func byteCount(_ column: String, in table: String) throws(StoreError) -> UInt64 {
        let bytes = try integer(column, in: table)
        guard bytes >= 0 else { throw StoreError(.decode, message: "\(table).\(column) holds \(bytes), which is no size") }
        return UInt64(bytes)
    }

    private static func required<T>(_ value: T?, _ column: String, _ table: String, _ type: String) throws(StoreError) -> T {
        guard let value else { throw StoreError(.decode, message: "\(table).\(column) is NULL, which \(type) cannot hold") }
        return value
    }
}
