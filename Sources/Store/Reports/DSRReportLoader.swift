import DDEXModel
import DSR
import Foundation

/// What loading a report did.
public struct DSRLoadResult: Sendable, Hashable {
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
    public let writer: any DatabaseWriter
    /// Lines written per transaction at most: small enough that another writer never waits long, large enough
    /// that the commits' fsyncs cost nothing next to the writes.
    public let linesPerTransaction: Int
    /// A transaction also ends after this long (a slow disk or a slow build), whatever its line count.
    public let secondsPerTransaction: Double

    /// Tables holding a report's rows, emptied (in bounded steps) when a staged load is undone.
    static let rowTables = ["dsr_usage_lines", "dsr_resources", "dsr_releases", "dsr_summaries", "dsr_report_warnings"]

    public init(writer: any DatabaseWriter, linesPerTransaction: Int = 50_000, secondsPerTransaction: Double = 0.1) {
        self.writer = writer
        self.linesPerTransaction = max(1, linesPerTransaction)
        self.secondsPerTransaction = secondsPerTransaction
    }

    public convenience init(database: Database) { self.init(writer: database) }

    /// Loads one complete report. Throws `DSRError`, `StoreError` or `DSRStateError`; on any error nothing of
    /// the report is visible and what was staged is removed.
    ///
    /// It blocks for as long as the load takes (seconds per million lines) and starts one reader thread for the
    /// duration: call it on a thread where blocking is fine (the daemon's blocking pool), not on Swift's
    /// cooperative pool.
    public func load(_ report: DSRReportFiles, progress: ((DSRLoadProgress) -> Void)? = nil) throws -> DSRLoadResult {
        try purgeStaged(key: report.key)
        let staged = try writer.write { db -> (result: DSRLoadResult?, reportId: Int64, created: Bool) in
            if let result = try Self.alreadyLoaded(report, db) { return (result, result.reportId, false) }
            let (reportId, created) = try Self.stage(report, db)
            return (nil, reportId, created)
        }
        if let result = staged.result { return result }
        do {
            return try loadRows(report, reportId: staged.reportId, progress: progress)
        } catch {
            try? purge(staged.reportId, removeReport: staged.created)
            throw error
        }
    }

    // MARK: Idempotency

    /// nil when no file of `report` was loaded before; the earlier result when all were, byte for byte.
    private static func alreadyLoaded(_ report: DSRReportFiles, _ database: Database) throws -> DSRLoadResult? {
        let store = DSRReportStore(database: database)
        let lookup = try database.prepare("SELECT report_id, sha256 FROM dsr_report_files WHERE file_name = ? AND sha256 IS NOT NULL")
        var knownReport: Int64?
        var knownCount = 0
        for file in report.files {
            try lookup.bind(file.name.text, at: 1)
            defer { lookup.reset() }
            guard try lookup.step() else { continue }
            let reportId = lookup.int64(at: 0)
            let sha = lookup.string(at: 1) ?? ""
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
        guard knownCount == report.files.count, let stored = try store.report(id: knownReport),
              stored.numberOfFiles == report.files.count else {
            throw DSRError(.fileConflict, file: report.files[0].name.text,
                           "only \(knownCount) of the \(report.files.count) files were loaded before (report \(knownReport))")
        }
        return DSRLoadResult(reportId: knownReport, outcome: .alreadyLoaded, superseded: [],
                             lineCount: stored.lineCount ?? 0, usageLineCount: stored.usageLineCount ?? 0,
                             warnings: try store.warnings(reportId: knownReport))
    }

    // MARK: Staging

    /// The report's row in the staging state `downloaded` (new, or one `discovered` by the poller); whether
    /// this load created it.
    private static func stage(_ report: DSRReportFiles, _ database: Database) throws -> (Int64, Bool) {
        let store = DSRReportStore(database: database)
        guard let existing = try store.report(key: report.key) else {
            return (try store.insertReport(report, state: .downloaded), true)
        }
        switch existing.state {
        case .discovered:
            try store.transition(existing.id, from: .discovered, to: .downloaded)
        case .downloaded:
            break
        case .parsed, .loaded, .superseded:
            throw DSRError(.fileConflict, file: report.files[0].name.text,
                           "report \(existing.id) with this name (\(report.key)) is already \(existing.state.rawValue) from other files")
        }
        return (existing.id, false)
    }

    /// Clears the rows a load of this report left in staging when it was cut short (a crash).
    private func purgeStaged(key: DSRReportKey) throws {
        let staged = try writer.write { db in try DSRReportStore(database: db).report(key: key) }
        guard let staged, staged.state == .downloaded else { return }
        try purge(staged.id, removeReport: false)
    }

    /// Deletes a staged report's rows, `linesPerTransaction` at a time; then its row too when `removeReport`,
    /// else its files' digests, so that the report is `downloaded` with nothing loaded.
    private func purge(_ reportId: Int64, removeReport: Bool) throws {
        let limit = linesPerTransaction
        for table in Self.rowTables {
            while try writer.write(durable: false, { db in
                try db.run("DELETE FROM \(table) WHERE id IN (SELECT id FROM \(table) WHERE report_id = ? LIMIT ?)",
                           .integer(reportId), .integer(limit))
            }) == limit {}
        }
        try writer.write(durable: false) { db in
            if removeReport {
                try db.run("DELETE FROM dsr_report_files WHERE report_id = ?", .integer(reportId))
                try db.run("DELETE FROM dsr_reports WHERE id = ? AND state = 'downloaded'", .integer(reportId))
            } else {
                try db.run("""
                    UPDATE dsr_report_files SET sha256 = NULL, size_bytes = NULL, line_count = NULL, block_count = NULL
                    WHERE report_id = ?
                    """, .integer(reportId))
            }
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
                    let writer = try rows ?? DSRRowWriter(database: db, reportId: reportId)
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
        return try writer.write { db in try Self.publish(report, reportId: reportId, read: read, usageLineCount: usageLineCount, db) }
    }

    /// The last transaction: counts, warnings, and the move out of staging (`downloaded → parsed → loaded`,
    /// superseding older reports of the same context), so readers see the whole report at once.
    private static func publish(_ report: DSRReportFiles, reportId: Int64, read: DSRReadAhead.Outcome, usageLineCount: Int,
                                _ database: Database) throws -> DSRLoadResult
    {
        let store = DSRReportStore(database: database)
        let lineCount = read.finishedFiles.reduce(0) { $0 + $1.lineCount }
        let blockCount = read.finishedFiles.reduce(0) { $0 + $1.blockCount }
        try database.run("""
            UPDATE dsr_reports SET line_count = ?, summary_count = ?, block_count = ?, usage_line_count = ? WHERE id = ?
            """, .integer(lineCount), .integer(read.summaryCount), .integer(blockCount),
            .integer(usageLineCount), .integer(reportId))
        let warning = try database.prepare("INSERT INTO dsr_report_warnings (report_id, code, location, message) VALUES (?, ?, ?, ?)")
        for problem in read.warnings {
            try warning.bind([.integer(reportId), .text(problem.code.rawValue), .text(problem.location), .text(problem.message)])
            try warning.run()
        }
        try store.transition(reportId, from: .downloaded, to: .parsed)
        try store.transition(reportId, from: .parsed, to: .loaded)
        let supersession = try store.applySupersession(for: report.key)
        let outcome: DSRLoadResult.Outcome = supersession.newest == reportId ? .loaded : .loadedSuperseded(by: supersession.newest)
        return DSRLoadResult(reportId: reportId, outcome: outcome, superseded: supersession.superseded.filter { $0 != reportId },
                             lineCount: lineCount, usageLineCount: usageLineCount, warnings: read.warnings)
    }
}
