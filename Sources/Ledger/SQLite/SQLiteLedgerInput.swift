import DDEXConfig
import DDEXModel
import Store

/// The ingested DSR reports in the SQLite store, as a statement run reads them.
///
/// Serves the summaries of every report in state `loaded` (a superseded report is skipped, so its lines leave
/// the totals) whose usage period lies in the statement period, in load order, and streams each summary's lines
/// in report order (file number, then line number) through `DSRLedgerReader`'s prepared statements: memory does
/// not grow with the number of lines.
///
/// **Exchange rate.** ACCOUNTING.md §1 is followed literally: the configured rate table for (currency, period)
/// wins; failing that, the summary's own `ExchangeRate` cell is offered as the rate (the run records the source
/// as `summary` in its outcome); a summary with neither is held unconverted. Note that in the DSR standard this
/// cell converts `CurrencyOfTransaction` into `CurrencyOfReporting` (dsrgen writes `1.00` with equal currencies),
/// so a missing rate-table row for a foreign reporting currency converts at that cell: configure rates for every
/// reporting currency you receive.
public final class SQLiteLedgerInput: LedgerInput {
    public let reader: DSRLedgerReader
    /// DSP profile names by DPID (the DSP's `recipient_dpid`), to name a report's DSP.
    public let dspNames: [String: String]

    public init(database: Database, dspNames: [String: String] = [:]) throws {
        self.reader = try DSRLedgerReader(database: database)
        self.dspNames = dspNames
    }

    public struct Lines: LineSequence {
        let reader: DSRLedgerReader
        let reportId: Int64
        let summaryRecordId: String

        public func forEachCells(_ body: (LineCells, () -> LineTextCells) throws -> Void) throws {
            try reader.forEachLine(reportId: reportId, summaryRecordId: summaryRecordId) { row in
                try body(LineCells(isrc: row.isrc, usages: row.usages, ownAmountMicro: row.ownAmountMicro)) {
                    LineTextCells(releaseICPN: row.icpn, dspResourceId: row.dspResourceId, useType: row.useType)
                }
            }
        }

        public func forEachLine(_ body: (UsageLine) throws -> Void) throws {
            func text(_ cell: UnsafeBufferPointer<UInt8>) -> String? { cell.isEmpty ? nil : String(decoding: cell, as: UTF8.self) }
            try reader.forEachLine(reportId: reportId, summaryRecordId: summaryRecordId) { row in
                try body(UsageLine(isrc: text(row.isrc)?.uppercased(), releaseICPN: text(row.icpn), dspResourceId: text(row.dspResourceId),
                                   usages: row.usages, ownAmount: row.ownAmountMicro.map(MicroAmount.init(micro:)), useType: text(row.useType) ?? ""))
            }
        }
    }

    /// The summaries a partition serves: a list fixed once for every partition, so that partitions on other
    /// connections read one snapshot of the reports.
    private var fixedSummaries: [DSRLedgerSummary]?

    public func forEachSummary(in period: StatementPeriod, _ body: (SummaryInput, Lines) throws -> Void) throws {
        var references: [Int64: ReportReference] = [:]
        for s in try fixedSummaries ?? reader.summaries(start: period.start.description, end: period.end.description) {
            let summary = try s.input(dspNames: dspNames, references: &references)
            try body(summary, Lines(reader: reader, reportId: s.reportId, summaryRecordId: s.summaryRecordId))
        }
    }
}

extension SQLiteLedgerInput {
    /// `count` inputs, each on a connection of its own to the same store file, serving the same summaries of
    /// `period` (listed once, here). Nil for a store that is not a file.
    public func partitions(_ count: Int, in period: StatementPeriod) throws -> [SQLiteLedgerInput]? {
        let path = reader.database.path
        guard count > 1, !path.isEmpty, path != ":memory:" else { return nil }
        let summaries = try reader.summaries(start: period.start.description, end: period.end.description)
        return try (0..<count).map { _ in
            let input = try SQLiteLedgerInput(database: Database(path: path, options: .scanning), dspNames: dspNames)
            input.fixedSummaries = summaries
            return input
        }
    }

    /// An input naming each report's DSP after the configured profile whose DPID sent it.
    public convenience init(database: Database, configuration: Configuration) throws {
        try self.init(database: database, dspNames: DSRLedgerSummary.dspNames(configuration))
    }
}
