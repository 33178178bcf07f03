import Ledger
import NIOCore
import PostgresNIO
import Store

/// The usage lines of one summary, read from PostgreSQL a page at a time, in report order (file number, then line
/// number) — what `DSRLedgerReader` reads from SQLite's covering index, the same columns in the same order: the
/// ledger's rules then run on them unchanged.
///
/// **A page is one row.** The server gathers each column of a page of lines into one binary array
/// (`array_agg` over the index's ordered range), so a page of 16,384 lines crosses the wire as one row of eight
/// cells instead of 16,384 rows: postgres-nio's per-row work (a message, a row, a cell per column) had made a
/// statement run over PostgreSQL spend 2.2 µs of ddexd's CPU per line. The page is read after the last line of
/// the one before (keyset paging on `(file_number, line_number)`, which the ledger's index serves), inside the
/// run's one snapshot. The order the arrays come in is checked, line by line: a page out of order is an error
/// (`STORE_DECODE`), never lines silently read in another order.
///
/// A page's cells are copied into one arena (`LinePage`), so a line's cells are plain bytes that stay valid for
/// the call that gets them, and memory holds one page whatever the summary's size.
struct PostgresLedgerLines {
    let session: PostgresSession
    let reportId: Int64
    let summaryRecordId: String
    let linesPerFetch: Int

    /// One page of lines after `($3, $4)`, each column an array in report order.
    static let pageSQL = """
        SELECT array_agg(file_number) AS file_numbers, array_agg(line_number) AS line_numbers,
               array_agg(isrc) AS isrcs, array_agg(icpn) AS icpns, array_agg(dsp_resource_id) AS dsp_resource_ids,
               array_agg(usages) AS usages, array_agg(allocated_net_revenue_micro) AS own_amounts,
               array_agg(use_type) AS use_types
        FROM (
            SELECT file_number, line_number, isrc, icpn, dsp_resource_id, usages, allocated_net_revenue_micro, use_type
            FROM dsr_usage_lines
            WHERE report_id = $1 AND summary_record_id = $2 AND (file_number, line_number) > ($3, $4)
            ORDER BY file_number, line_number
            LIMIT $5
        ) AS page
        """

    func forEachCells(_ body: (LineCells, () -> LineTextCells) throws -> Void) throws {
        var page = LinePage()
        var next = requestPage(after: LinePage.Key(file: .min, line: .min))
        while true {
            let rows = try session.wait(for: next, sql: Self.pageSQL).rows
            try page.fill(rows.first, after: page.lastKey ?? LinePage.Key(file: .min, line: .min))
            let more = page.count == linesPerFetch
            // The next page is asked for before this one is walked: the server reads it while the rules run.
            if more, let last = page.lastKey { next = requestPage(after: last) }
            try page.forEach(body)
            if !more { return }
        }
    }

    private func requestPage(after key: LinePage.Key) -> EventLoopFuture<PostgresQueryResult> {
        session.send(Self.pageSQL, [reportId, summaryRecordId, key.file, key.line, Int64(linesPerFetch)])
    }
}

/// One page of lines: the cells of each, as spans of one byte arena.
struct LinePage {
    struct Span {
        var start: Int32
        var count: Int32
    }

    /// A line's place in its report.
    struct Key: Comparable {
        var file: Int64
        var line: Int64

        static func < (a: Key, b: Key) -> Bool { (a.file, a.line) < (b.file, b.line) }
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
    /// The place of the page's last line; nil when the page is empty.
    private(set) var lastKey: Key?

    var count: Int { lines.count }

    /// Replaces the page with the lines of `row` (`PostgresLedgerLines.pageSQL`'s arrays, binary format), which
    /// must all come after `previous`, in order. A NULL text is empty, as SQLite's reader gives it; no row, or
    /// NULL arrays (no line left), is an empty page.
    mutating func fill(_ row: PostgresRow?, after previous: Key) throws {
        let columns = try row.map { row in try row.map { cell in try PostgresBinaryArray(cell) } } ?? []
        try fill(columns: columns, after: previous)
    }

    /// Replaces the page with the lines of `columns`: file numbers, line numbers, ISRCs, ICPNs, DSP resource ids,
    /// usages, own amounts, use types (the arrays of `PostgresLedgerLines.pageSQL`); none is an empty page.
    mutating func fill(columns: [PostgresBinaryArray], after previous: Key) throws {
        arena.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        lastKey = nil
        guard !columns.isEmpty else { return }
        guard columns.count == 8 else {
            throw StoreError(.decode, message: "dsr_usage_lines: a page has \(columns.count) columns, not 8")
        }
        let (files, lineNumbers, isrcs, icpns) = (columns[0], columns[1], columns[2], columns[3])
        let (resources, usages, owns, useTypes) = (columns[4], columns[5], columns[6], columns[7])
        let count = files.count
        guard [lineNumbers, isrcs, icpns, resources, usages, owns, useTypes].allSatisfy({ $0.count == count }) else {
            throw StoreError(.decode, message: "dsr_usage_lines: a page's columns hold different numbers of lines")
        }
        let fileNumbers = try files.integers(), lineNumbersRead = try lineNumbers.integers()
        let usageCounts = try usages.integers(), ownAmounts = try owns.integers()
        let isrcSpans = try keep(isrcs), icpnSpans = try keep(icpns), resourceSpans = try keep(resources), useTypeSpans = try keep(useTypes)
        var last = previous
        lines.reserveCapacity(count)
        for index in 0..<count {
            guard let file = fileNumbers[index], let line = lineNumbersRead[index], Key(file: file, line: line) > last else {
                throw StoreError(.decode, message: "dsr_usage_lines: a page's lines are not in report order after file \(last.file) line \(last.line)")
            }
            last = Key(file: file, line: line)
            lines.append(Line(isrc: isrcSpans[index], icpn: icpnSpans[index], dspResourceId: resourceSpans[index],
                              useType: useTypeSpans[index], usages: usageCounts[index] ?? 0, ownAmountMicro: ownAmounts[index]))
        }
        lastKey = count > 0 ? last : nil
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

    /// Copies the texts of `array` into the arena; their spans, an empty one for NULL.
    private mutating func keep(_ array: PostgresBinaryArray) throws -> [Span] {
        var spans: [Span] = []
        spans.reserveCapacity(array.count)
        try array.forEachElement(of: .text) { bytes in
            let start = Int32(arena.count)
            guard let bytes else { spans.append(Span(start: start, count: 0)); return }
            arena.append(contentsOf: bytes)
            spans.append(Span(start: start, count: Int32(bytes.count)))
        }
        return spans
    }
}

extension PostgresSession {
    /// Sends a statement without waiting for it: the connection runs it after the ones sent before.
    func send(_ sql: String, _ arguments: [(any PostgresDynamicTypeEncodable)?] = []) -> EventLoopFuture<PostgresQueryResult> {
        submit(PostgresQuery(unsafeSQL: sql, binds: PostgresBindings(arguments)))
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
