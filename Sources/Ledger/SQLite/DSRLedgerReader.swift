import DDEXModel
import Store

/// Reads the summaries of loaded reports and streams their usage lines in report order for the ledger.
///
/// Only reports in state `loaded` count: a superseded report keeps its rows but is skipped. Lines come from
/// the covering index `dsr_usage_lines_for_ledger` (migration 4) with statements prepared once and reused for
/// every summary, so memory does not grow with the number of lines. Text cells are handed over as the bytes
/// SQLite holds, never copied into `String`s: the ledger resolves them to ids itself.
public final class DSRLedgerReader {
    public let database: Database
    private let summariesStatement: Statement
    private let linesStatement: Statement

    public init(database: Database) throws(StoreError) {
        self.database = database
        summariesStatement = try database.prepare("""
            SELECT s.report_id, s.summary_record_id, s.commercial_model, s.territory, s.currency_of_reporting,
                   s.net_revenue_micro, s.exchange_rate_text, s.currency_of_transaction, s.total_usages,
                   coalesce(nullif(r.sender_party_id, ''), r.sender), coalesce(r.sender_name, ''),
                   coalesce(nullif(r.service_description, ''), r.service), r.period_start, r.period_end, r.message_id
            FROM dsr_reports r JOIN dsr_summaries s ON s.report_id = r.id
            WHERE r.state = 'loaded' AND r.period_start >= ?1 AND r.period_end <= ?2
            GROUP BY s.report_id, s.summary_record_id
            ORDER BY r.id, min(s.line_number)
            """)
        linesStatement = try database.prepare("""
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
                reportId: s.int64(at: 0), summaryRecordId: s.string(at: 1) ?? "", commercialModel: s.string(at: 2) ?? "",
                territory: s.string(at: 3) ?? "", currencyOfReporting: s.string(at: 4) ?? "", netRevenueMicro: s.optionalInt64(at: 5),
                exchangeRateText: s.string(at: 6) ?? "", currencyOfTransaction: s.string(at: 7) ?? "", totalUsages: s.optionalInt64(at: 8),
                senderPartyId: s.string(at: 9) ?? "", senderName: s.string(at: 10) ?? "", service: s.string(at: 11) ?? "",
                periodStart: s.string(at: 12) ?? "", periodEnd: s.string(at: 13) ?? "", messageId: s.string(at: 14)))
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
    let statement: Statement

    public var isrc: UnsafeBufferPointer<UInt8> { statement.bytes(at: 0) }
    public var icpn: UnsafeBufferPointer<UInt8> { statement.bytes(at: 1) }
    public var dspResourceId: UnsafeBufferPointer<UInt8> { statement.bytes(at: 2) }
    public var usages: Int64 { statement.int64(at: 3) }
    /// `AllocatedNetRevenue` in micro-units, nil when the line carries no money of its own.
    public var ownAmountMicro: Int64? { statement.optionalInt64(at: 4) }
    public var useType: UnsafeBufferPointer<UInt8> { statement.bytes(at: 5) }
}
