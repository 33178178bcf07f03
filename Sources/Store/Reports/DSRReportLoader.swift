import DDEXModel
import DSR
import Foundation
import GRDB

/// Loads DSR reports into the store, in bounded transactions (`linesPerTransaction` lines each) so that other
/// writers get the writing connection in between, while readers see a report all at once or not at all: its
/// rows are written while it is in the staging state `downloaded`, which every reader filters out (the ledger
/// reads `loaded` reports only), and one last transaction makes it `loaded`. The files are parsed on a reader
/// thread a few batches ahead of the SQLite writes (`DSRReadAhead`).
///
/// A load that fails removes what it staged (in bounded steps too); one cut short by a crash is cleared by the
/// next load of the same report. A file is identified by its name and SHA-256: loading the same files again
/// changes nothing and says so (`alreadyLoaded`); a file of a known name but other content is refused
/// (`DSR_FILE_CONFLICT`). A newer report for the same recipient, sender, service, period and territory
/// supersedes older ones (both stay stored).
public final class DSRReportLoader: DSRReportLoading {
    public let writer: any StoreWriter
    /// Lines written per transaction at most: small enough that another writer never waits long, large enough
    /// that the commits' fsyncs cost nothing next to the writes.
    public let linesPerTransaction: Int
    /// A transaction also ends after this long (a slow disk or a slow build), whatever its line count.
    public let secondsPerTransaction: Double

    /// Tables holding a report's rows, emptied (in bounded steps) when a staged load is undone.
    static let rowTables = ["dsr_usage_lines", "dsr_resources", "dsr_releases", "dsr_summaries", "dsr_report_warnings"]

    public init(writer: any StoreWriter, linesPerTransaction: Int = 50_000, secondsPerTransaction: Double = 0.1) {
        self.writer = writer
        self.linesPerTransaction = max(1, linesPerTransaction)
        self.secondsPerTransaction = secondsPerTransaction
    }

    /// Loads through a `StoreDatabase` opened on the file of `database`, for the callers that still hold a
    /// connection of the older wrapper (the ledger's tests and benchmark).
    public convenience init(database: Database) { self.init(writer: StoreOnFile(path: database.path)) }

    /// Loads one complete report. Throws `DSRError`, `StoreError` or `InvalidTransition`; on any error nothing of
    /// the report is visible and what was staged is removed. The report moves through `DSRReportState`: staged
    /// (`downloaded`), then published (`loaded`), or unstaged when the load fails; files fetched for it
    /// (`dsr_fetches`) move with it.
    ///
    /// It blocks for as long as the load takes (seconds per million lines) and starts one reader thread for the
    /// duration: call it on a thread where blocking is fine (the daemon's blocking pool), not on Swift's
    /// cooperative pool.
    public func load(_ report: DSRReportFiles, progress: ((DSRLoadProgress) -> Void)? = nil) throws -> DSRLoadResult {
        try purgeStaged(key: report.key)
        let staged = try writer.write(durable: true) { db -> (result: DSRLoadResult?, reportId: Int64) in
            let rows = SQLiteDSRReportTransaction(db: db)
            if let result = try DSRLoadRules.alreadyLoaded(report, in: rows) { return (result, result.reportId) }
            return (nil, try DSRLoadRules.stage(report, in: rows))
        }
        if let result = staged.result { return result }
        do {
            return try loadRows(report, reportId: staged.reportId, progress: progress)
        } catch {
            try? unstage(staged.reportId, key: report.key)
            throw error
        }
    }

    // MARK: Staging

    /// Clears the rows a load of this report left in staging when it was cut short (a crash), and its files'
    /// digests, so that the report is `downloaded` with nothing loaded.
    private func purgeStaged(key: DSRReportKey) throws {
        let staged = try writer.write(durable: true) { db in try SQLiteDSRReportTransaction(db: db).report(key: key) }
        guard let staged, staged.state == .downloaded else { return }
        try purgeRows(staged.id)
        try writer.write(durable: false) { db in
            try db.execute(sql: """
                UPDATE dsr_report_files SET sha256 = NULL, size_bytes = NULL, line_count = NULL, block_count = NULL
                WHERE report_id = ?
                """, arguments: [staged.id])
        }
    }

    /// Undoes a failed load: its rows, then (`unstage`) its report row.
    private func unstage(_ reportId: Int64, key: DSRReportKey) throws {
        try purgeRows(reportId)
        try writer.write(durable: false) { db in
            _ = try DSRReportRules.apply(.unstage, to: key, now: Timestamp.format(), in: SQLiteDSRReportTransaction(db: db))
        }
    }

    /// Deletes a staged report's rows, `linesPerTransaction` at a time.
    private func purgeRows(_ reportId: Int64) throws {
        let limit = linesPerTransaction
        for table in Self.rowTables {
            while try writer.write(durable: false, { db in
                try db.execute(sql: "DELETE FROM \(table) WHERE id IN (SELECT id FROM \(table) WHERE report_id = ? LIMIT ?)",
                               arguments: [reportId, limit])
                return db.changesCount
            }) == limit {}
        }
    }

    // MARK: Loading

    private func loadRows(_ report: DSRReportFiles, reportId: Int64, progress: ((DSRLoadProgress) -> Void)?) throws -> DSRLoadResult {
        var rows: DSRRowMapper<DSRRowWriter>?
        let readAhead = DSRReadAhead(report: report)
        readAhead.start()
        let read: DSRReadAhead.Outcome
        do {
            var finished = false
            while !finished {
                // Staged rows need no fsync of their own: the last transaction's makes them durable with it,
                // and rows lost to a crash before it are cleared and loaded again.
                try writer.write(durable: false) { db in
                    if rows == nil { rows = DSRRowMapper(sink: try DSRRowWriter(database: Database(borrowing: db)), reportId: reportId) }
                    var written = 0
                    let deadline = Date().addingTimeInterval(secondsPerTransaction)
                    while written < linesPerTransaction, written == 0 || Date() < deadline {
                        guard let batch = try readAhead.next() else {
                            finished = true
                            return
                        }
                        try rows?.write(batch.lines)
                        written += batch.lines.count
                        if let progress, let state = batch.progress { progress(state) }
                    }
                }
            }
            read = try readAhead.outcome()
        } catch {
            readAhead.cancel()
            throw error
        }
        let usageLineCount = rows?.usageLineCount ?? 0
        return try writer.write(durable: true) { db in
            try DSRLoadRules.publish(report, reportId: reportId, read: read, usageLineCount: usageLineCount,
                                     in: SQLiteDSRReportTransaction(db: db))
        }
    }
}
