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

/// Loads DSR reports into the store: one transaction per report, prepared statements reused for every
/// row, nothing half-loaded on failure. The files are parsed on a reader thread a few batches ahead of
/// the SQLite writes (`DSRReadAhead`); the database is only touched by the calling thread.
///
/// A file is identified by its name and SHA-256: loading the same files again changes nothing and says
/// so (`alreadyLoaded`); a file of a known name but other content is refused (`DSR_FILE_CONFLICT`). A
/// newer report for the same recipient, sender, service, period and territory supersedes older ones
/// (both stay stored).
public final class DSRReportLoader {
    public let database: Database
    public let store: DSRReportStore

    public init(database: Database) {
        self.database = database
        self.store = DSRReportStore(database: database)
    }

    /// Loads one complete report. Throws `DSRError`, `StoreError` or `DSRStateError`; on any error the
    /// store is as it was before the call.
    ///
    /// It blocks for as long as the load takes (seconds per million lines) and starts one reader thread
    /// for the duration: from async code, call it where blocking is fine, not on the cooperative pool's
    /// hot path.
    public func load(_ report: DSRReportFiles, progress: ((DSRLoadProgress) -> Void)? = nil) throws -> DSRLoadResult {
        if let result = try alreadyLoaded(report) { return result }
        return try database.transaction { try loadInTransaction(report, progress: progress) }
    }

    // MARK: Idempotency

    /// nil when no file of `report` was loaded before; the earlier result when all were, byte for byte.
    private func alreadyLoaded(_ report: DSRReportFiles) throws -> DSRLoadResult? {
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

    // MARK: Loading

    private func loadInTransaction(_ report: DSRReportFiles, progress: ((DSRLoadProgress) -> Void)?) throws -> DSRLoadResult {
        let reportId: Int64
        if let existing = try store.report(key: report.key) {
            switch existing.state {
            case .discovered:
                try store.transition(existing.id, from: .discovered, to: .downloaded)
            case .downloaded:
                break
            case .parsed, .loaded, .superseded:
                throw DSRError(.fileConflict, file: report.files[0].name.text,
                               "report \(existing.id) with this name (\(report.key)) is already \(existing.state.rawValue) from other files")
            }
            reportId = existing.id
        } else {
            reportId = try store.insertReport(report, state: .downloaded)
        }

        let writer = try DSRRowWriter(database: database, reportId: reportId)
        let readAhead = DSRReadAhead(report: report)
        readAhead.start()
        let read: DSRReadAhead.Outcome
        do {
            while let batch = try readAhead.next() {
                for event in batch.events { try writer.write(event) }
                if let progress, let state = batch.progress { progress(state) }
            }
            read = try readAhead.outcome()
        } catch {
            readAhead.cancel()
            throw error
        }
        let lineCount = read.finishedFiles.reduce(0) { $0 + $1.lineCount }
        let blockCount = read.finishedFiles.reduce(0) { $0 + $1.blockCount }
        try database.run("""
            UPDATE dsr_reports SET line_count = ?, summary_count = ?, block_count = ?, usage_line_count = ? WHERE id = ?
            """, .integer(lineCount), .integer(read.summaryCount), .integer(blockCount),
            .integer(writer.usageLineCount), .integer(reportId))
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
                             lineCount: lineCount, usageLineCount: writer.usageLineCount, warnings: read.warnings)
    }
}
