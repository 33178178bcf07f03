import GRDB

extension Row {
    /// The value of `column`, read by name; `STORE_DECODE` naming the table and column when it is missing, NULL where
    /// `T` is not optional, or of another type. A row that does not decode is an error, never a silent default.
    func value<T: DatabaseValueConvertible>(_ column: String, in table: String) throws(StoreError) -> T {
        do {
            return try decode(T.self, forColumn: column)
        } catch {
            throw StoreError(.decode, message: "\(table).\(column) does not decode as \(T.self): \(error)")
        }
    }

    /// The value of `column` when it is not NULL.
    func optionalValue<T: DatabaseValueConvertible>(_ column: String, in table: String) throws(StoreError) -> T? {
        try value(column, in: table) as T?
    }

    /// A value of one of ddexd's enums (a state, a kind, an outcome) stored by its raw text; `STORE_DECODE` when
    /// the text is none of its cases.
    func enumeration<T: RawRepresentable>(_ column: String, in table: String) throws(StoreError) -> T where T.RawValue == String {
        let text: String = try value(column, in: table)
        guard let value = T(rawValue: text) else {
            throw StoreError(.decode, message: "\(table).\(column) holds '\(text)', which is no \(T.self)")
        }
        return value
    }
}

extension Row {
    /// A size in bytes (SQLite stores it signed); `STORE_DECODE` when it is negative.
    func byteCount(_ column: String, in table: String) throws(StoreError) -> UInt64 {
        let bytes: Int64 = try value(column, in: table)
        guard bytes >= 0 else { throw StoreError(.decode, message: "\(table).\(column) holds \(bytes), which is no size") }
        return UInt64(bytes)
    }
}
