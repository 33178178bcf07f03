import DDEXModel
import PostgresNIO
import Store

/// `DSRRowSink` on PostgreSQL: rows written with COPY, chunk by chunk.
///
/// A connection runs one COPY at a time and the rows of a report interleave four tables, so a load goes by chunks
/// (`PostgresDSRReportLoader.linesPerChunk`): for each, `reserve` takes the ids its rows will have, usage lines
/// stream into their COPY as they are encoded (the server works on one buffer while the next is filled), the
/// chunk's releases, resources and summaries wait in buffers of their own, and `flush` ends the usage lines' COPY,
/// copies the others and runs the few rows that need a statement (the report's HEAD, its files). A value type,
/// like `DSRRowMapper` that holds it, so the cells pay no dynamic exclusivity check.
struct PostgresDSRRowSink: DSRRowSink {
    /// Usage lines are handed to their COPY in buffers of about this size.
    static let streamBytes = 1 << 18

    let session: PostgresSession
    private let sequences: [DSRRowTable: String]
    /// Reserved ids and encoded rows, by `DSRRowTable.rawValue`.
    private var ids: [PostgresRowIds]
    private var rows: [COPYTextRows]
    /// The rows that need a statement, with their cells, in report order.
    private var statements: [(table: DSRRowTable, cells: [(any PostgresDynamicTypeEncodable)?])] = []
    private var cells: [(any PostgresDynamicTypeEncodable)?] = []
    private var usageLines: PostgresCopyIn?
    private var table = DSRRowTable.usageLines
    private var id: Int64 = 0

    init(session: PostgresSession) throws(StoreError) {
        self.session = session
        sequences = try PostgresRowIds.sequences(in: session)
        ids = Array(repeating: PostgresRowIds(), count: DSRRowTable.allCases.count)
        rows = DSRRowTable.allCases.map { $0 == .usageLines ? COPYTextRows(capacity: Self.streamBytes + (1 << 14)) : COPYTextRows() }
    }

    // MARK: Chunks

    /// Reserves the ids of a chunk's rows, before any of them is written.
    mutating func reserve(releases: Int, resources: Int, usageLines: Int) throws(StoreError) {
        for (table, count) in [(DSRRowTable.releases, releases), (.resources, resources), (.usageLines, usageLines)] {
            guard let sequence = sequences[table] else { throw StoreError(.misuse, message: "\(table.name) has no sequence") }
            try ids[table.rawValue].reserve(count, of: sequence, in: session)
        }
    }

    /// Writes what the chunk left waiting: ends the usage lines' COPY, copies the other tables' rows, runs the
    /// statements.
    mutating func flush() throws(StoreError) {
        if usageLines != nil || rows[DSRRowTable.usageLines.rawValue].byteCount > 0 {
            try streamUsageLines()
            try usageLines?.finish()
            usageLines = nil
        }
        for table in [DSRRowTable.releases, .resources, .summaries] where rows[table.rawValue].byteCount > 0 {
            let copy = PostgresCopyIn(session: session, table: table.name, columns: Self.copyColumns(table))
            do {
                try copy.send(rows[table.rawValue].take())
            } catch {
                copy.abandon()
                throw error
            }
            try copy.finish()
        }
        for (table, cells) in statements {
            try session.execute(table.statement { "$\($0)" }, cells)
        }
        statements.removeAll()
    }

    /// Ends a copy in progress with a failure, so that the session can roll back.
    mutating func abandon() {
        usageLines?.abandon()
        usageLines = nil
    }

    private mutating func streamUsageLines() throws(StoreError) {
        let table = DSRRowTable.usageLines
        if usageLines == nil {
            usageLines = PostgresCopyIn(session: session, table: table.name, columns: Self.copyColumns(table))
        }
        try usageLines?.send(rows[table.rawValue].take())
    }

    /// A referenced table's rows carry their reserved id first.
    private static func copyColumns(_ table: DSRRowTable) -> [String] {
        table.isReferenced ? ["id"] + table.columns : table.columns
    }

    private var isStatement: Bool { table == .reportHead || table == .reportFiles }

    // MARK: DSRRowSink

    mutating func begin(_ table: DSRRowTable) throws {
        self.table = table
        if isStatement {
            cells.removeAll(keepingCapacity: true)
        } else if table.isReferenced {
            id = try ids[table.rawValue].take()
            rows[table.rawValue].integer(id)
        }
    }

    mutating func integer(_ value: Int64?) throws {
        if isStatement { cells.append(value) } else { rows[table.rawValue].integer(value) }
    }

    mutating func text(_ value: String) throws {
        if isStatement { cells.append(value) } else { try rows[table.rawValue].text(value) }
    }

    mutating func text(bytes: UnsafeRawBufferPointer) throws {
        if isStatement {
            cells.append(String(decoding: bytes, as: UTF8.self))
        } else {
            try rows[table.rawValue].text(bytes: bytes)
        }
    }

    mutating func end() throws -> Int64 {
        if isStatement {
            statements.append((table, cells))
            return 0
        }
        rows[table.rawValue].endRow()
        if table == .usageLines, rows[table.rawValue].byteCount >= Self.streamBytes { try streamUsageLines() }
        return id
    }
}
