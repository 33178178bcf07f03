import Ledger
import NIOCore
import PostgresNIO
import Store

/// The usage lines of one summary, read from PostgreSQL through a cursor, a page at a time, in report order (file
/// number, then line number) — what `DSRLedgerReader` reads from SQLite's covering index, the same columns in the
/// same order: the ledger's rules then run on them unchanged.
///
/// A page's cells are copied into one arena (`LinePage`), so a line's cells are plain bytes that stay valid for
/// the call that gets them, and memory holds one page whatever the summary's size.
struct PostgresLedgerLines {
    let session: PostgresSession
    let reportId: Int64
    let summaryRecordId: String
    let linesPerFetch: Int

    /// The cursor a walk reads through: one walk at a time per session (a run reads its summaries one by one).
    private static let cursor = "ddexd_ledger_lines"

    func forEachCells(_ body: (LineCells, () -> LineTextCells) throws -> Void) throws {
        try session.execute("""
            DECLARE \(Self.cursor) NO SCROLL CURSOR FOR
            SELECT isrc, icpn, dsp_resource_id, usages, allocated_net_revenue_micro, use_type
            FROM dsr_usage_lines
            WHERE report_id = $1 AND summary_record_id = $2
            ORDER BY file_number, line_number
            """, [reportId, summaryRecordId])
        // A walk the rules stopped (an error of theirs) leaves the transaction usable: the cursor goes.
        defer { _ = try? session.execute("CLOSE \(Self.cursor)") }
        // The next page is asked for before this one is walked: the server reads it while the rules run.
        let fetch = "FETCH FORWARD \(linesPerFetch) FROM \(Self.cursor)"
        var page = LinePage()
        var next = session.send(fetch)
        while true {
            let rows = try session.wait(for: next, sql: fetch).rows
            let more = rows.count == linesPerFetch
            if more { next = session.send(fetch) }
            try page.fill(rows)
            try page.forEach(body)
            if !more { return }
        }
    }
}

/// One page of lines: the cells of each, as spans of one byte arena.
struct LinePage {
    struct Span {
        var start: Int32
        var count: Int32
    }

    struct Line {
        var isrc: Span
        var icpn: Span
        var dspResourceId: Span
        var useType: Span
        var usages: Int64
        var ownAmountMicro: Int64?
    }

    private var arena: [UInt8] = []
    private var lines: [Line] = []

    /// Replaces the page with `rows` (columns: isrc, icpn, dsp_resource_id, usages, allocated_net_revenue_micro,
    /// use_type; binary format). A NULL text is empty, as SQLite's reader gives it.
    mutating func fill(_ rows: [PostgresRow]) throws(StoreError) {
        arena.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        for row in rows {
            var cells = row.makeIterator()
            let isrc = keep(cells.next()), icpn = keep(cells.next()), resource = keep(cells.next())
            let usages = try Self.integer(cells.next()) ?? 0
            let own = try Self.integer(cells.next())
            lines.append(Line(isrc: isrc, icpn: icpn, dspResourceId: resource, useType: keep(cells.next()), usages: usages,
                              ownAmountMicro: own))
        }
    }

    func forEach(_ body: (LineCells, () -> LineTextCells) throws -> Void) throws {
        try arena.withUnsafeBufferPointer { arena in
            func cell(_ span: Span) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: arena[Int(span.start)..<Int(span.start + span.count)])
            }
            for line in lines {
                try body(LineCells(isrc: cell(line.isrc), usages: line.usages, ownAmountMicro: line.ownAmountMicro)) {
                    LineTextCells(releaseICPN: cell(line.icpn), dspResourceId: cell(line.dspResourceId), useType: cell(line.useType))
                }
            }
        }
    }

    private mutating func keep(_ cell: PostgresCell?) -> Span {
        let start = Int32(arena.count)
        guard let bytes = cell?.bytes else { return Span(start: start, count: 0) }
        bytes.withUnsafeReadableBytes { arena.append(contentsOf: $0) }
        return Span(start: start, count: Int32(bytes.readableBytes))
    }

    /// A `BIGINT` cell (8 bytes, big-endian); nil when NULL.
    private static func integer(_ cell: PostgresCell?) throws(StoreError) -> Int64? {
        guard let cell else { throw StoreError(.decode, message: "dsr_usage_lines: a line has too few columns") }
        guard let bytes = cell.bytes else { return nil }
        guard bytes.readableBytes == 8, let value = bytes.getInteger(at: bytes.readerIndex, as: Int64.self) else {
            throw StoreError(.decode, message: "dsr_usage_lines.\(cell.columnName) is not a BIGINT")
        }
        return value
    }
}

extension PostgresSession {
    /// Sends a statement without waiting for it: the connection runs it after the ones sent before.
    func send(_ sql: String) -> EventLoopFuture<PostgresQueryResult> {
        submit(PostgresQuery(unsafeSQL: sql))
    }

    /// The result of a statement `send` sent.
    func wait(for result: EventLoopFuture<PostgresQueryResult>, sql: String) throws(StoreError) -> PostgresQueryResult {
        do {
            return try Self.wait(for: result, on: connection)
        } catch {
            throw StoreError(postgres: error, during: .step, sql: sql)
        }
    }
}
