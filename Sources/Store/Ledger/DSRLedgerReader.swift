import CSQLite
import DDEXModel

/// A summary record (SYxx) of a loaded report, with what the ledger needs of its report.
public struct DSRLedgerSummary: Sendable, Hashable {
    public var reportId: Int64
    public var summaryRecordId: String
    public var commercialModel: String
    public var territory: String
    public var currencyOfReporting: String
    /// `NetRevenue` in micro-units (rounded half-even on input), nil when the cell was empty.
    public var netRevenueMicro: Int64?
    /// `ExchangeRate` as written (empty when absent).
    public var exchangeRateText: String
    public var currencyOfTransaction: String
    public var totalUsages: Int64?
    /// The sender's DPID (HEAD `SenderPartyId`, else the file name's sender).
    public var senderPartyId: String
    public var senderName: String
    public var service: String
    /// `UsageStartDate` / `UsageEndDate` (`YYYY-MM-DD`).
    public var periodStart: String
    public var periodEnd: String
    public var messageId: String?
}

/// Reads the summaries of loaded reports and streams their usage lines in report order for the ledger.
///
/// Only reports in state `loaded` count: a superseded report keeps its rows but is skipped. Lines come from
/// the covering index `dsr_usage_lines_for_ledger` (migration 4) with statements prepared once and reused for
/// every summary, so memory does not grow with the number of lines. Text cells are handed over as the bytes
/// SQLite holds, never copied into `String`s: the ledger resolves them to ids itself.
public final class DSRLedgerReader {
    public let database: Database
    private let summariesStatement: RawStatement
    private let linesStatement: RawStatement

    public init(database: Database) throws(StoreError) {
        self.database = database
        summariesStatement = try RawStatement(database, """
            SELECT s.report_id, s.summary_record_id, s.commercial_model, s.territory, s.currency_of_reporting,
                   s.net_revenue_micro, s.exchange_rate_text, s.currency_of_transaction, s.total_usages,
                   coalesce(nullif(r.sender_party_id, ''), r.sender), coalesce(r.sender_name, ''),
                   coalesce(nullif(r.service_description, ''), r.service), r.period_start, r.period_end, r.message_id
            FROM dsr_reports r JOIN dsr_summaries s ON s.report_id = r.id
            WHERE r.state = 'loaded' AND r.period_start >= ?1 AND r.period_end <= ?2
            GROUP BY s.report_id, s.summary_record_id
            ORDER BY r.id, min(s.line_number)
            """)
        linesStatement = try RawStatement(database, """
            SELECT isrc, icpn, dsp_resource_id, usages, allocated_net_revenue_micro, use_type
            FROM dsr_usage_lines INDEXED BY dsr_usage_lines_for_ledger
            WHERE report_id = ?1 AND summary_record_id = ?2
            ORDER BY file_number, line_number
            """)
    }

    /// The summaries of every loaded report whose usage period lies in `start...end` (`YYYY-MM-DD`), report
    /// by report in load order, each report's summaries in file order. A summary record repeated with other
    /// rights controllers is listed once (its lines are shared once).
    public func summaries(start: String, end: String) throws(StoreError) -> [DSRLedgerSummary] {
        let s = summariesStatement
        defer { s.reset() }
        try s.bind(start, at: 1)
        try s.bind(end, at: 2)
        var result: [DSRLedgerSummary] = []
        while try s.step() {
            result.append(DSRLedgerSummary(
                reportId: s.int64(0), summaryRecordId: s.text(1) ?? "", commercialModel: s.text(2) ?? "",
                territory: s.text(3) ?? "", currencyOfReporting: s.text(4) ?? "", netRevenueMicro: s.optionalInt64(5),
                exchangeRateText: s.text(6) ?? "", currencyOfTransaction: s.text(7) ?? "", totalUsages: s.optionalInt64(8),
                senderPartyId: s.text(9) ?? "", senderName: s.text(10) ?? "", service: s.text(11) ?? "",
                periodStart: s.text(12) ?? "", periodEnd: s.text(13) ?? "", messageId: s.text(14)))
        }
        return result
    }

    /// Calls `body` with every line of a summary, in report order (file number, then line number), as a
    /// `DSRLedgerRow` valid only during the call.
    public func forEachLine(reportId: Int64, summaryRecordId: String, _ body: (DSRLedgerRow) throws -> Void) throws {
        let s = linesStatement
        defer { s.reset() }
        try s.bind(reportId, at: 1)
        try s.bind(summaryRecordId, at: 2)
        let row = DSRLedgerRow(statement: s)
        while try s.step() {
            try body(row)
        }
    }
}

/// The current usage line of a `DSRLedgerReader` walk. Text cells are bytes (empty when NULL), valid only
/// until the walk moves on; each is decoded by SQLite only when read, so a ledger that matches a line by its
/// ISRC never pays for its other cells.
public struct DSRLedgerRow {
    let statement: RawStatement

    public var isrc: UnsafeBufferPointer<UInt8> { statement.bytes(0) }
    public var icpn: UnsafeBufferPointer<UInt8> { statement.bytes(1) }
    public var dspResourceId: UnsafeBufferPointer<UInt8> { statement.bytes(2) }
    public var usages: Int64 { statement.int64(3) }
    /// `AllocatedNetRevenue` in micro-units, nil when the line carries no money of its own.
    public var ownAmountMicro: Int64? { statement.optionalInt64(4) }
    public var useType: UnsafeBufferPointer<UInt8> { statement.bytes(5) }
}

/// A prepared statement read column by column without copying cells it does not need. `Statement` hides its
/// handle; the ledger's line scans need the raw bytes of text cells to skip building repeated strings.
final class RawStatement {
    let handle: OpaquePointer
    let sql: String
    private let database: Database

    init(_ database: Database, _ sql: String) throws(StoreError) {
        let db = try database.liveHandle(for: sql)
        var statement: OpaquePointer?
        let result = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard result == SQLITE_OK, let statement else {
            throw StoreError.sqlite(result, db, during: .prepare, sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ value: Int64, at index: Int32) throws(StoreError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ value: String, at index: Int32) throws(StoreError) {
        try check(value.withCString { sqlite3_bind_text(handle, index, $0, -1, ddexd_sqlite_transient()) })
    }

    private func check(_ result: Int32) throws(StoreError) {
        guard result == SQLITE_OK else {
            throw StoreError.sqlite(result, sqlite3_db_handle(handle), during: .bind, sql: sql)
        }
    }

    @inline(__always)
    func step() throws(StoreError) -> Bool {
        let result = sqlite3_step(handle)
        if result == SQLITE_ROW { return true }
        if result == SQLITE_DONE { return false }
        throw StoreError.sqlite(result, sqlite3_db_handle(handle), during: .step, sql: sql)
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    @inline(__always) func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    @inline(__always) func optionalInt64(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    /// A text cell's bytes, empty when NULL; valid until the next step or reset.
    @inline(__always) func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let pointer = sqlite3_column_text(handle, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column)))
    }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }
}
