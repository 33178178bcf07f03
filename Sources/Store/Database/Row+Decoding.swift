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
}

/// The SQLite engine's rows, for the records' one decoder (`init(row: some StoredRow)`).
extension Row: StoredRow {
    public func optionalText(_ column: String, in table: String) throws(StoreError) -> String? {
        try optionalValue(column, in: table)
    }

    public func optionalInteger(_ column: String, in table: String) throws(StoreError) -> Int64? {
        try optionalValue(column, in: table)
    }

    public func optionalDouble(_ column: String, in table: String) throws(StoreError) -> Double? {
        try optionalValue(column, in: table)
    }
}
