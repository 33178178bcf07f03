import DDEXModel
import DSR

/// The steps of a DSR load that are rules, not storage, shared by every engine's loader (`DSRReportLoader` on
/// SQLite, the PostgreSQL one): what loading the same files again means, staging, and publishing.
package enum DSRLoadRules {
    /// nil when no file of `report` was loaded before; the earlier result when all were, byte for byte (its files
    /// fetched again are then published with it). A file of a known name but other content, or files split between
    /// reports, throw `DSR_FILE_CONFLICT`.
    package static func alreadyLoaded(_ report: DSRReportFiles, in db: some DSRReportTransaction) throws -> DSRLoadResult? {
        var knownReport: Int64?
        var knownCount = 0
        for file in report.files {
            guard let known = try db.loadedFile(named: file.name.text) else { continue }
            let actual = try DSRFileDigest.sha256(path: file.path).hex
            guard actual == known.sha256 else {
                throw DSRError(.fileConflict, file: file.name.text,
                               "a file of this name with other content (SHA-256 \(known.sha256)) was loaded as report \(known.reportId); this one is \(actual). A corrected report needs a new creation time in its name")
            }
            if let knownReport, knownReport != known.reportId {
                throw DSRError(.fileConflict, file: file.name.text, "this file was loaded as part of report \(known.reportId), its siblings as part of report \(knownReport)")
            }
            knownReport = known.reportId
            knownCount += 1
        }
        guard let knownReport else { return nil }
        guard knownCount == report.files.count, let stored = try db.report(id: knownReport),
              stored.numberOfFiles == report.files.count else {
            throw DSRError(.fileConflict, file: report.files[0].name.text,
                           "only \(knownCount) of the \(report.files.count) files were loaded before (report \(knownReport))")
        }
        try DSRReportRules.apply(.publish, to: stored.key, now: Timestamp.format(), in: db)
        return DSRLoadResult(reportId: knownReport, outcome: .alreadyLoaded, superseded: [],
                             lineCount: stored.lineCount ?? 0, usageLineCount: stored.usageLineCount ?? 0,
                             warnings: try db.warnings(reportId: knownReport))
    }

    /// The report's row in the staging state `downloaded`: new, or left by a load cut short (`stage` again). A
    /// report of this name already loaded from other files throws `DSR_FILE_CONFLICT`.
    package static func stage(_ report: DSRReportFiles, in db: some DSRReportTransaction) throws -> Int64 {
        if let existing = try db.report(key: report.key), existing.state != .downloaded {
            throw DSRError(.fileConflict, file: report.files[0].name.text,
                           "report \(existing.id) with this name (\(report.key)) is already \(existing.state.rawValue) from other files")
        }
        let staged = try DSRReportRules.apply(.stage, to: report.key, changes: DSRReportChanges(numberOfFiles: report.numberOfFiles),
                                              now: Timestamp.format(), in: db)
        guard let id = staged.reportId else { throw StoreError(.misuse, message: "staging \(report.key) made no report row") }
        return id
    }

    /// The last step of a load: counts, warnings, and the move out of staging (`publish`, superseding older reports
    /// of the same context), so readers see the whole report at once.
    package static func publish(_ report: DSRReportFiles, reportId: Int64, read: DSRReadAhead.Outcome, usageLineCount: Int,
                                in db: some DSRReportTransaction) throws -> DSRLoadResult
    {
        let lineCount = read.finishedFiles.reduce(0) { $0 + $1.lineCount }
        let blockCount = read.finishedFiles.reduce(0) { $0 + $1.blockCount }
        try db.setReportTotals(id: reportId, lineCount: lineCount, summaryCount: read.summaryCount, blockCount: blockCount,
                               usageLineCount: usageLineCount)
        try db.insertWarnings(read.warnings, reportId: reportId)
        let now = Timestamp.format()
        try DSRReportRules.apply(.publish, to: report.key, now: now, in: db)
        let supersession = try DSRReportRules.applySupersession(for: report.key, now: now, in: db)
        let outcome: DSRLoadResult.Outcome = supersession.newest == reportId ? .loaded : .loadedSuperseded(by: supersession.newest)
        return DSRLoadResult(reportId: reportId, outcome: outcome, superseded: supersession.superseded.filter { $0 != reportId },
                             lineCount: lineCount, usageLineCount: usageLineCount, warnings: read.warnings)
    }
}
