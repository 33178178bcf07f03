import DDEXModel
import DSR

/// What a report transition writes beside the state.
package struct DSRReportChanges {
    /// For `stage` of a report that has no row yet: its number of files.
    package var numberOfFiles: Int?
    /// For `supersede`: the newer report.
    package var supersededBy: Int64?
    /// For `fail`: the coded error its files failed with.
    package var failure: (code: String, message: String)?

    package init(numberOfFiles: Int? = nil, supersededBy: Int64? = nil, failure: (code: String, message: String)? = nil) {
        self.numberOfFiles = numberOfFiles
        self.supersededBy = supersededBy
        self.failure = failure
    }
}

/// The rules of the DSR bookkeeping, written once for every engine over a `DSRReportTransaction`: the one way a
/// report's state is written, supersession, and what "the same file again" means.
package enum DSRReportRules {
    /// Where the report named `key` stands: its row's state, else `failed` when its fetched files failed, else
    /// `fetched`.
    package static func state(of key: DSRReportKey, in db: some DSRReportTransaction) throws -> DSRReportState {
        if let report = try db.report(key: key) { return report.state }
        let states = try db.fetchStates(reportKey: key.description)
        return !states.isEmpty && states.allSatisfy { $0 == DSRReportState.failed.fetchRowState } ? .failed : .fetched
    }

    /// The one way a DSR report's state is written, inside the caller's transaction: `DSRReportState.next(after:)`
    /// applied to the state read in that same transaction (`state(of:)`), then the report row (`dsr_reports`) and
    /// the rows of the files fetched for it (`dsr_fetches`, by report name) brought to the new state together.
    /// Returns the new state and the report row's id, when it has one.
    @discardableResult
    package static func apply(_ event: DSRReportState.Event, to key: DSRReportKey, changes: DSRReportChanges = DSRReportChanges(),
                              now: String, in db: some DSRReportTransaction) throws -> (state: DSRReportState, reportId: Int64?)
    {
        let next = try state(of: key, in: db).applying(event)
        let row = try db.report(key: key)
        switch event {
        case .stage:
            if let row { return (next, row.id) }
            guard let numberOfFiles = changes.numberOfFiles else {
                throw StoreError(.misuse, message: "staging \(key) needs its number of files")
            }
            return (next, try db.insertReport(key, state: next, numberOfFiles: numberOfFiles, now: now))
        case .unstage:
            // The loader removed its rows before; a report that is only fetched has no row.
            guard let row else { return (next, nil) }
            try db.deleteReport(id: row.id)
            return (next, nil)
        case .publish:
            guard let row else { throw StoreError(.misuse, message: "\(key) has no report row to publish") }
            if row.state != next { try db.setReportState(id: row.id, next, supersededBy: nil, now: now) }
            try db.publishFetches(reportKey: key.description, reportId: row.id, state: next, now: now)
            return (next, row.id)
        case .supersede:
            guard let row else { throw StoreError(.misuse, message: "\(key) has no report row to supersede") }
            if row.state != next { try db.setReportState(id: row.id, next, supersededBy: changes.supersededBy, now: now) }
            return (next, row.id)
        case .fail:
            try db.failFetches(reportKey: key.description, failure: changes.failure, now: now)
            return (next, row?.id)
        }
    }

    /// Supersedes every loaded report of the same recipient, sender, service, period and territory as `key` except
    /// the newest (by HEAD MessageCreatedDateTime, then the file name's creation time), inside the caller's
    /// transaction. Returns the newest report's id and the ids it superseded now.
    package static func applySupersession(for key: DSRReportKey, now: String,
                                          in db: some DSRReportTransaction) throws -> (newest: Int64, superseded: [Int64])
    {
        let rows = try db.reportsOfContext(key)
        guard let newest = rows.first else { return (0, []) }
        guard newest.state == .loaded else {
            // Only reachable by hand-edited data: the newest report must count.
            throw StoreError(.step, message: "the newest report \(newest.id) for \(key) is \(newest.state.rawValue), not loaded")
        }
        var superseded: [Int64] = []
        for row in rows.dropFirst() where row.state == .loaded {
            try apply(.supersede, to: row.key, changes: DSRReportChanges(supersededBy: newest.id), now: now, in: db)
            superseded.append(row.id)
        }
        return (newest.id, superseded)
    }

    /// Records a downloaded file (its report `fetched`); the existing row when the same file (path, size, SHA-256)
    /// was recorded before, moved to `file.localPath` if it was archived elsewhere.
    package static func recordFetched(_ file: NewDSRFetch, now: String, in db: some DSRReportTransaction) throws -> DSRFetchRecord {
        let id: Int64
        if let existing = try db.fetch(dsp: file.dsp, remotePath: file.remotePath, size: file.size, sha256: file.sha256) {
            if existing.localPath != file.localPath { try db.setFetchLocalPath(id: existing.id, file.localPath, now: now) }
            id = existing.id
        } else {
            id = try db.insertFetch(file, state: .fetched, now: now)
        }
        guard let record = try db.fetch(id: id) else {
            throw StoreError(.misuse, message: "the fetched file \(file.remotePath) has no row after it was recorded")
        }
        return record
    }
}
