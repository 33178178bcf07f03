import PostgresNIO
import Store

extension PostgresSession {
    /// Rows per statement of `insertColumns`: one round trip each, a message of a few megabytes at most.
    static let rowsPerStatement = 10_000

    /// Runs `sql` for `rows`, `rowsPerStatement` at a time, each column an array: the arguments are `fixed`, then
    /// the arrays `columns` makes of a slice of rows (`unnest($n::text[], …)` in `sql`).
    func insertColumns<Row>(_ rows: [Row], _ sql: String, fixed: [any PostgresDynamicTypeEncodable] = [],
                            columns: (ArraySlice<Row>) -> [any PostgresDynamicTypeEncodable]) throws(StoreError)
    {
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + Self.rowsPerStatement, rows.endIndex)
            try execute(sql, fixed + columns(rows[start..<end]))
            start = end
        }
    }
}

extension Array {
    /// The elements no later element repeats the key of, in order: what a run of upserts, one element after the
    /// other, leaves in the table.
    func keepingLast(_ key: (Element) -> [String]) -> [Element] {
        var seen: Set<[String]> = []
        var kept: [Element] = []
        for element in reversed() where seen.insert(key(element)).inserted { kept.append(element) }
        return kept.reversed()
    }
}
