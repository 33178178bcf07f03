import PostgresNIO
import Store

/// A row PostgreSQL returned, read by column name the way the SQLite store reads its rows: a value that is missing,
/// NULL where none may be, or of another type is `STORE_DECODE` naming the table and the column, never a default.
public struct PostgresStoredRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRandomAccessRow) { self.row = row }

    /// The value of `column`; `STORE_DECODE` when it is missing, NULL, or of another type.
    public func value<T: PostgresDecodable>(_ column: String, in table: String) throws(StoreError) -> T {
        guard let value: T = try optionalValue(column, in: table) else {
            throw StoreError(.decode, message: "\(table).\(column) is NULL, which \(T.self) cannot hold")
        }
        return value
    }

    /// The value of `column` when it is not NULL.
    public func optionalValue<T: PostgresDecodable>(_ column: String, in table: String) throws(StoreError) -> T? {
        guard row.contains(column) else { throw StoreError(.decode, message: "\(table).\(column) is not in the row") }
        let cell = row[column]
        guard cell.bytes != nil else { return nil }
        do {
            return try cell.decode(T.self)
        } catch {
            throw StoreError(.decode, message: "\(table).\(column) does not decode as \(T.self): \(String(reflecting: error))")
        }
    }

    /// One of ddexd's enums stored by its raw text; `STORE_DECODE` when the text is none of its cases.
    public func enumeration<T: RawRepresentable>(_ column: String, in table: String) throws(StoreError) -> T where T.RawValue == String {
        let text: String = try value(column, in: table)
        guard let value = T(rawValue: text) else {
            throw StoreError(.decode, message: "\(table).\(column) holds '\(text)', which is no \(T.self)")
        }
        return value
    }

    /// The first column, whatever its name (`SELECT count(*)`, `RETURNING id`).
    public func first<T: PostgresDecodable>(_ type: T.Type = T.self) throws(StoreError) -> T? {
        guard row.count > 0 else { throw StoreError(.decode, message: "the row has no column") }
        guard row[0].bytes != nil else { return nil }
        do {
            return try row[0].decode(T.self)
        } catch {
            throw StoreError(.decode, message: "the first column does not decode as \(T.self): \(String(reflecting: error))")
        }
    }
}
