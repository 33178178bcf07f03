import DDEXConfig
import DDEXModel
import Ledger
import Store

/// The loaded DSR reports on PostgreSQL, as a statement run reads them: `LedgerInput` with the same summaries, in
/// the same order, as `SQLiteLedgerInput`, and the same lines.
///
/// **Where the work is done.** PostgreSQL selects and orders: the reports in state `loaded` whose usage period lies
/// in the statement period, their summaries (a summary repeated for other rights controllers once, with the values
/// of its first row), and each summary's lines in report order, streamed through a cursor a page at a time. The
/// money is not computed in SQL: ACCOUNTING.md's allocation (largest remainders over 128-bit products, ties to the
/// earlier line), per-line commission rounding, split sharing and the overflow and invariant checks that must fail
/// a run loudly are the ledger's rules (`LedgerRun`), and a second copy of them in SQL could only drift from the
/// first. The lines go through those rules unchanged, so a run over PostgreSQL equals a run over SQLite to the
/// micro-unit, by construction.
///
/// Every summary is read in one `REPEATABLE READ` snapshot; `partitions` give readers on other connections the
/// same summary list (a loaded report's lines never change, so they read the same lines).
public final class PostgresLedgerInput: LedgerInput {
    public let database: PostgresDatabase
    /// DSP profile names by DPID (the DSP's `recipient_dpid`), to name a report's DSP.
    public let dspNames: [String: String]
    /// Lines per round trip of a summary's cursor.
    public let linesPerFetch: Int
    /// The summaries a partition serves: listed once for every partition.
    private var fixedSummaries: [DSRLedgerSummary]?

    public init(database: PostgresDatabase, dspNames: [String: String] = [:], linesPerFetch: Int = 16_384) {
        self.database = database
        self.dspNames = dspNames
        self.linesPerFetch = max(1, linesPerFetch)
    }

    /// An input naming each report's DSP after the configured profile whose DPID sent it.
    public convenience init(database: PostgresDatabase, configuration: Configuration) {
        self.init(database: database, dspNames: DSRLedgerSummary.dspNames(configuration))
    }

    /// The usage lines of one summary, valid inside the `forEachSummary` call that passed them.
    public struct Lines: LineSequence {
        let lines: PostgresLedgerLines

        public func forEachCells(_ body: (LineCells, () -> LineTextCells) throws -> Void) throws {
            try lines.forEachCells(body)
        }

        public func forEachLine(_ body: (UsageLine) throws -> Void) throws {
            func text(_ cell: UnsafeBufferPointer<UInt8>) -> String? { cell.isEmpty ? nil : String(decoding: cell, as: UTF8.self) }
            try lines.forEachCells { cells, more in
                let other = more()
                try body(UsageLine(isrc: text(cells.isrc)?.uppercased(), releaseICPN: text(other.releaseICPN),
                                   dspResourceId: text(other.dspResourceId), usages: cells.usages,
                                   ownAmount: cells.ownAmountMicro.map(MicroAmount.init(micro:)), useType: text(other.useType) ?? ""))
            }
        }
    }

    public func forEachSummary(in period: StatementPeriod, _ body: (SummaryInput, Lines) throws -> Void) throws {
        try database.read { session in
            var references: [Int64: ReportReference] = [:]
            for s in try fixedSummaries ?? Self.summaries(in: period, session) {
                let summary = try s.input(dspNames: dspNames, references: &references)
                try body(summary, Lines(lines: PostgresLedgerLines(session: session, reportId: s.reportId, summaryRecordId: s.summaryRecordId,
                                                                   linesPerFetch: linesPerFetch)))
            }
        }
    }

    /// `count` inputs, each reading on a connection of its own, serving the same summaries of `period` (listed
    /// once, here). Nil when the pool could not lend `count` connections and keep one for the rest of ddexd.
    public func partitions(_ count: Int, in period: StatementPeriod) throws -> [PostgresLedgerInput]? {
        guard count > 1, count < database.settings.poolSize else { return nil }
        let summaries = try database.read { session in try Self.summaries(in: period, session) }
        return (0..<count).map { _ in
            let input = PostgresLedgerInput(database: database, dspNames: dspNames, linesPerFetch: linesPerFetch)
            input.fixedSummaries = summaries
            return input
        }
    }

    /// The summaries of every loaded report whose usage period lies in `period`, report by report in load order,
    /// each report's in file order; a summary record repeated with other rights controllers once, with the values
    /// of its first row (what SQLite's `GROUP BY … ORDER BY min(line_number)` gives).
    static func summaries(in period: StatementPeriod, _ session: PostgresSession) throws -> [DSRLedgerSummary] {
        let t = "dsr_summaries"
        // Dates compare as text, byte by byte, as SQLite compares them.
        return try session.query("""
            SELECT * FROM (
                SELECT DISTINCT ON (s.report_id, s.summary_record_id)
                       s.report_id, s.summary_record_id, s.commercial_model, s.territory, s.currency_of_reporting,
                       s.net_revenue_micro, s.exchange_rate_text, s.currency_of_transaction, s.total_usages, s.line_number,
                       coalesce(nullif(r.sender_party_id, ''), r.sender) AS sender_party_id,
                       coalesce(r.sender_name, '') AS sender_name,
                       coalesce(nullif(r.service_description, ''), r.service) AS service,
                       r.period_start, r.period_end, r.message_id
                FROM dsr_reports r JOIN dsr_summaries s ON s.report_id = r.id
                WHERE r.state = 'loaded' AND r.period_start >= $1 COLLATE "C" AND r.period_end <= $2 COLLATE "C"
                ORDER BY s.report_id, s.summary_record_id, s.line_number
            ) AS first_rows
            ORDER BY report_id, line_number
            """, [period.start.description, period.end.description]).map { row in
            DSRLedgerSummary(
                reportId: try row.value("report_id", in: t), summaryRecordId: try row.value("summary_record_id", in: t),
                commercialModel: try row.value("commercial_model", in: t), territory: try row.value("territory", in: t),
                currencyOfReporting: try row.value("currency_of_reporting", in: t),
                netRevenueMicro: try row.optionalValue("net_revenue_micro", in: t),
                exchangeRateText: try row.value("exchange_rate_text", in: t),
                currencyOfTransaction: try row.value("currency_of_transaction", in: t),
                totalUsages: try row.optionalValue("total_usages", in: t), senderPartyId: try row.value("sender_party_id", in: t),
                senderName: try row.value("sender_name", in: t), service: try row.value("service", in: t),
                periodStart: try row.optionalValue("period_start", in: t) ?? "", periodEnd: try row.optionalValue("period_end", in: t) ?? "",
                messageId: try row.optionalValue("message_id", in: t))
        }
    }
}
