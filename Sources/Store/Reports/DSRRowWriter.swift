/// `DSRRowSink` on SQLite: one statement per table, prepared once from `DSRRowTable.columns` and reused for every
/// row; a row's id is the row id SQLite gave it. A value type, so that the ten million cells of a large report
/// pay no dynamic exclusivity check.
struct DSRRowWriter: DSRRowSink {
    private let database: Database
    private let statements: [Statement]
    private var current: Statement
    private var parameter: Int32 = 0

    init(database: Database) throws {
        self.database = database
        statements = try DSRRowTable.allCases.map { try database.prepare($0.statement { _ in "?" }) }
        current = statements[0]
    }

    mutating func begin(_ table: DSRRowTable) throws {
        current = statements[table.rawValue]
        parameter = 0
    }

    mutating func integer(_ value: Int64?) throws {
        parameter += 1
        try current.bind(value, at: parameter)
    }

    mutating func text(_ value: String) throws {
        parameter += 1
        try current.bind(value, at: parameter)
    }

    /// Bound without a copy: the bytes stay valid until `end` has run the statement.
    mutating func text(bytes: UnsafeRawBufferPointer) throws {
        parameter += 1
        try current.bindTextNoCopy(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count, at: parameter)
    }

    mutating func end() throws -> Int64 {
        try current.run()
        return database.lastInsertRowID
    }
}
