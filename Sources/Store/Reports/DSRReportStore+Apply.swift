import DDEXModel
import DSR
import GRDB

/// What a report transition writes beside the state.
struct DSRReportChanges {
    /// For `stage` of a report that has no row yet: its number of files.
    var numberOfFiles: Int?
    /// For `supersede`: the newer report.
    var supersededBy: Int64?
    /// For `fail`: the coded error its files failed with.
    var failure: (code: String, message: String)?
}

extension DSRReportStore {
    /// The one way a DSR report's state is written, inside the caller's transaction: `DSRReportState.next(after:)`
    /// applied to the state read in that same transaction (`state(of:)`), then the report row (`dsr_reports`) and
    /// the rows of the files fetched for it (`dsr_fetches`, by report name) brought to the new state together.
    /// Returns the new state and the report row's id, when it has one.
    @discardableResult
    static func apply(_ event: DSRReportState.Event, to key: DSRReportKey, changes: DSRReportChanges = DSRReportChanges(),
                      now: String, _ db: GRDB.Database) throws -> (state: DSRReportState, reportId: Int64?)
    {
        let next = try state(db, of: key).applying(event)
        let row = try report(db, key: key)
        switch event {
        case .stage:
            if let row { return (next, row.id) }
            guard let numberOfFiles = changes.numberOfFiles else {
                throw StoreError(.misuse, message: "staging \(key) needs its number of files")
            }
            try db.execute(sql: """
                INSERT INTO dsr_reports (state, state_changed_at, recipient, sender, service, period, territory,
                                         name_created, number_of_files)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [next.reportRowState, now, key.recipient, key.sender, key.service, key.period, key.territory,
                                 key.created, numberOfFiles])
            return (next, db.lastInsertedRowID)
        case .unstage:
            // The loader removed its rows in bounded steps before; a report that is only fetched has no row.
            guard let row else { return (next, nil) }
            try db.execute(sql: "DELETE FROM dsr_report_files WHERE report_id = ?", arguments: [row.id])
            try db.execute(sql: "DELETE FROM dsr_reports WHERE id = ?", arguments: [row.id])
            return (next, nil)
        case .publish:
            guard let row else { throw StoreError(.misuse, message: "\(key) has no report row to publish") }
            try setReportState(db, row, next, supersededBy: nil, now: now)
            try db.execute(sql: """
                UPDATE dsr_fetches SET state = ?, report_id = ?, error_code = NULL, error_message = NULL, updated_at = ?
                WHERE report_key = ? AND state = ?
                """, arguments: [next.fetchRowState, row.id, now, key.description, DSRReportState.fetched.fetchRowState])
            return (next, row.id)
        case .supersede:
            guard let row else { throw StoreError(.misuse, message: "\(key) has no report row to supersede") }
            try setReportState(db, row, next, supersededBy: changes.supersededBy, now: now)
            return (next, row.id)
        case .fail:
            try db.execute(sql: """
                UPDATE dsr_fetches SET state = ?, error_code = ?, error_message = ?, updated_at = ? WHERE report_key = ? AND state = ?
                """, arguments: [DSRReportState.failed.fetchRowState, changes.failure?.code, changes.failure?.message, now,
                                 key.description, DSRReportState.fetched.fetchRowState])
            return (next, row?.id)
        }
    }

    private static func setReportState(_ db: GRDB.Database, _ row: DSRStoredReport, _ state: DSRReportState,
                                       supersededBy: Int64?, now: String) throws
    {
        guard row.state != state else { return }
        try db.execute(sql: """
            UPDATE dsr_reports SET state = ?, state_changed_at = ?, superseded_by = coalesce(?, superseded_by) WHERE id = ?
            """, arguments: [state.reportRowState, now, supersededBy, row.id])
    }

    /// Supersedes every loaded report of the same recipient, sender, service, period and territory as `key` except
    /// the newest (by HEAD MessageCreatedDateTime, then the file name's creation time), inside the caller's
    /// transaction. Returns the newest report's id and the ids it superseded now.
    static func applySupersession(for key: DSRReportKey, now: String, _ db: GRDB.Database) throws -> (newest: Int64, superseded: [Int64]) {
        let rows = try DSRStoredReport.fetchAll(db, sql: """
            SELECT * FROM dsr_reports
            WHERE recipient = ? AND sender = ? AND service = ? AND period = ? AND territory = ?
              AND state IN ('loaded', 'superseded')
            ORDER BY coalesce(created_unix_ms, 0) DESC, name_created DESC, id DESC
            """, arguments: [key.recipient, key.sender, key.service, key.period, key.territory])
        guard let newest = rows.first else { return (0, []) }
        guard newest.state == .loaded else {
            // Only reachable by hand-edited data: the newest report must count.
            throw StoreError(.step, message: "the newest report \(newest.id) for \(key) is \(newest.state.rawValue), not loaded")
        }
        var superseded: [Int64] = []
        for row in rows.dropFirst() where row.state == .loaded {
            try apply(.supersede, to: row.key, changes: DSRReportChanges(supersededBy: newest.id), now: now, db)
            superseded.append(row.id)
        }
        return (newest.id, superseded)
    }
}
