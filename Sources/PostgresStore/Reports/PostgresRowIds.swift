import Store

/// Row ids taken from a table's identity sequence before its rows are copied, so that rows naming them
/// (`release_id`, `resource_id`, `parent_line_id`) can be written in the same COPY stream: COPY returns no ids.
///
/// The ids are the sequence's own (`nextval`), so a plain `INSERT` elsewhere never collides with them and loads
/// running at once get different ones. They come back as runs of consecutive ids — one run unless another session
/// took ids of the same sequence meanwhile — and are handed out in ascending order: on a store with one loader they
/// are the ids SQLite would have given the same rows.
struct PostgresRowIds {
    private var runs: [(first: Int64, count: Int64)] = []
    private var run = 0
    private var offset: Int64 = 0

    /// How many reserved ids are left.
    private(set) var remaining: Int64 = 0

    /// Reserves `count` more ids of `table`'s `id` sequence (named `sequence`, as `pg_get_serial_sequence` gives it).
    mutating func reserve(_ count: Int, of sequence: String, in session: PostgresSession) throws(StoreError) {
        guard count > 0 else { return }
        // The sequence's name is a literal, so PostgreSQL resolves it once, not once per id.
        let literal = "'" + sequence.replacingOccurrences(of: "'", with: "''") + "'::regclass"
        let rows = try session.query("""
            SELECT min(id) AS first, count(*) AS count FROM (
                SELECT id, id - row_number() OVER (ORDER BY id) AS run
                FROM (SELECT nextval(\(literal)) AS id FROM generate_series(1, $1)) AS taken
            ) AS numbered
            GROUP BY run ORDER BY first
            """, [Int64(count)])
        runs.removeFirst(run)
        run = 0
        for row in rows {
            let first: Int64 = try row.value("first", in: sequence)
            let count: Int64 = try row.value("count", in: sequence)
            runs.append((first, count))
            remaining += count
        }
    }

    /// The next reserved id; `STORE_MISUSE` when none is left (the caller reserved too few).
    mutating func take() throws(StoreError) -> Int64 {
        while run < runs.count, offset == runs[run].count {
            run += 1
            offset = 0
        }
        guard run < runs.count else { throw StoreError(.misuse, message: "a row needs an id that was not reserved") }
        let id = runs[run].first + offset
        offset += 1
        remaining -= 1
        return id
    }

    /// The identity sequences of the tables whose rows are named by id, from the server's catalogue.
    static func sequences(in session: PostgresSession) throws(StoreError) -> [DSRRowTable: String] {
        var names: [DSRRowTable: String] = [:]
        for table in DSRRowTable.allCases where table.isReferenced {
            let rows = try session.query("SELECT pg_get_serial_sequence($1, 'id')", [table.name])
            guard let name = try rows.first?.first(String.self) else {
                throw StoreError(.schemaMismatch, message: "\(table.name).id has no identity sequence")
            }
            names[table] = name
        }
        return names
    }
}
