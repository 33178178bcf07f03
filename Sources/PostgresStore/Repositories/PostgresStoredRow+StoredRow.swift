import Store

/// PostgreSQL's rows, for the records' one decoder (`init(row: some StoredRow)`): `BIGINT` columns read as `Int64`,
/// `DOUBLE PRECISION` ones as `Double`, `TEXT` ones as `String`, under `PostgresStoredRow`'s rules.
extension PostgresStoredRow: StoredRow {
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
