import DDEXModel
import DSR
import Foundation
import GRDB

/// What loading a report did.
public struct DSRLoadResult: Sendable, Hashable {
    /// How the report relates to the ones already stored for its context.
    public enum Outcome: Sendable, Hashable {
        /// The report was loaded and is the newest for its context.
        case loaded
        /// The report was loaded, but a newer report for the same context already was: it is stored as
        /// superseded by that one.
        case loadedSuperseded(by: Int64)
        /// Every file (name and SHA-256) was loaded before: nothing changed.
        case alreadyLoaded
    }

    public var reportId: Int64
    public var outcome: Outcome
    /// Older reports this load superseded.
    public var superseded: [Int64]
    public var lineCount: Int
    public var usageLineCount: Int
    public var warnings: [Problem]
}

/// How far a load is, for progress bars.
public struct DSRLoadProgress: Sendable {
    public var fileName: String
    public var fileNumber: Int
    public var numberOfFiles: Int
    /// Bytes of the current file read (compressed bytes for `.gz`).
    public var bytesRead: Int64
    public var linesRead: Int
}

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
public final class DSRReportLoader {
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
            if let result = try Self.alreadyLoaded(report, db) { return (result, result.reportId) }
            return (nil, try Self.stage(report, db))
        }
        if let result = staged.result { return result }
        do {
            return try loadRows(report, reportId: staged.reportId, progress: progress)
        } catch {
            try? unstage(staged.reportId, key: report.key)
            throw error
        }
    }

    // MARK: Idempotency

    /// nil when no file of `report` was loaded before; the earlier result when all were, byte for byte (its files
    /// fetched again are then published with it).
    private static func alreadyLoaded(_ report: DSRReportFiles, _ db: GRDB.Database) throws -> DSRLoadResult? {
        let lookup = try db.makeStatement(sql: "SELECT report_id, sha256 FROM dsr_report_files WHERE file_name = ? AND sha256 IS NOT NULL")
        var knownReport: Int64?
        var knownCount = 0
        for file in report.files {
            guard let row = try Row.fetchOne(lookup, arguments: [file.name.text]) else { continue }
            let reportId: Int64 = try row.value("report_id", in: "dsr_report_files")
            let sha: String = try row.value("sha256", in: "dsr_report_files")
            let actual = try DSRFileDigest.sha256(path: file.path).hex
            guard actual == sha else {
                throw DSRError(.fileConflict, file: file.name.text,
                               "a file of this name with other content (SHA-256 \(sha)) was loaded as report \(reportId); this one is \(actual). A corrected report needs a new creation time in its name")
            }
            if let knownReport, knownReport != reportId {
                throw DSRError(.fileConflict, file: file.name.text, "this file was loaded as part of report \(reportId), its siblings as part of report \(knownReport)")
            }
            knownReport = reportId
            knownCount += 1
        }
        guard let knownReport else { return nil }
        guard knownCount == report.files.count, let stored = try DSRReportStore.report(db, id: knownReport),
              stored.numberOfFiles == report.files.count else {
            throw DSRError(.fileConflict, file: report.files[0].name.text,
                           "only \(knownCount) of the \(report.files.count) files were loaded before (report \(knownReport))")
        }
        try DSRReportStore.apply(.publish, to: stored.key, now: Timestamp.format(), db)
        return DSRLoadResult(reportId: knownReport, outcome: .alreadyLoaded, superseded: [],
                             lineCount: stored.lineCount ?? 0, usageLineCount: stored.usageLineCount ?? 0,
                             warnings: try DSRReportStore.warnings(db, reportId: knownReport))
    }

    // MARK: Staging

    /// The report's row in the staging state `downloaded`: new, or left by a load cut short (`stage` again).
    private static func stage(_ report: DSRReportFiles, _ db: GRDB.Database) throws -> Int64 {
        if let existing = try DSRReportStore.report(db, key: report.key), existing.state != .downloaded {
            throw DSRError(.fileConflict, file: report.files[0].name.text,
                           "report \(existing.id) with this name (\(report.key)) is already \(existing.state.rawValue) from other files")
        }
        let staged = try DSRReportStore.apply(.stage, to: report.key, changes: DSRReportChanges(numberOfFiles: report.numberOfFiles),
                                              now: Timestamp.format(), db)
        guard let id = staged.reportId else { throw StoreError(.misuse, message: "staging \(report.key) made no report row") }
        return id
    }

    /// Clears the rows a load of this report left in staging when it was cut short (a crash), and its files'
    /// digests, so that the report is `downloaded` with nothing loaded.
    private func purgeStaged(key: DSRReportKey) throws {
        let staged = try writer.write(durable: true) { db in try DSRReportStore.report(db, key: key) }
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
        try writer.write(durable: false) { db in _ = try DSRReportStore.apply(.unstage, to: key, now: Timestamp.format(), db) }
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
        var rows: DSRRowWriter?
        let readAhead = DSRReadAhead(report: report)
        readAhead.start()
        let read: DSRReadAhead.Outcome
        do {
            var finished = false
            while !finished {
                // Staged rows need no fsync of their own: the last transaction's makes them durable with it,
                // and rows lost to a crash before it are cleared and loaded again.
                try writer.write(durable: false) { db in
                    let writer = try rows ?? DSRRowWriter(database: Database(borrowing: db), reportId: reportId)
                    rows = writer
                    var written = 0
                    let deadline = Date().addingTimeInterval(secondsPerTransaction)
                    while written < linesPerTransaction, written == 0 || Date() < deadline {
                        guard let batch = try readAhead.next() else {
                            finished = true
                            return
                        }
                        try writer.write(batch.lines)
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
            try Self.publish(report, reportId: reportId, read: read, usageLineCount: usageLineCount, db)
        }
    }

    /// The last transaction: counts, warnings, and the move out of staging (`publish`, superseding older reports
    /// of the same context), so readers see the whole report at once.
    private static func publish(_ report: DSRReportFiles, reportId: Int64, read: DSRReadAhead.Outcome, usageLineCount: Int,
                                _ db: GRDB.Database) throws -> DSRLoadResult
    {
        let lineCount = read.finishedFiles.reduce(0) { $0 + $1.lineCount }
        let blockCount = read.finishedFiles.reduce(0) { $0 + $1.blockCount }
        try db.execute(sql: """
            UPDATE dsr_reports SET line_count = ?, summary_count = ?, block_count = ?, usage_line_count = ? WHERE id = ?
            """, arguments: [lineCount, read.summaryCount, blockCount, usageLineCount, reportId])
        let warning = try db.makeStatement(sql: "INSERT INTO dsr_report_warnings (report_id, code, location, message) VALUES (?, ?, ?, ?)")
        for problem in read.warnings {
            try warning.execute(arguments: [reportId, problem.code.rawValue, problem.location, problem.message])
        }
        let now = Timestamp.format()
        try DSRReportStore.apply(.publish, to: report.key, now: now, db)
        let supersession = try DSRReportStore.applySupersession(for: report.key, now: now, db)
        let outcome: DSRLoadResult.Outcome = supersession.newest == reportId ? .loaded : .loadedSuperseded(by: supersession.newest)
        return DSRLoadResult(reportId: reportId, outcome: outcome, superseded: supersession.superseded.filter { $0 != reportId },
                             lineCount: lineCount, usageLineCount: usageLineCount, warnings: read.warnings)
    }
}
