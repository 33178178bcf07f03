import DDEXModel
import DSR
import GRDB

/// `DSRReportRepository` on the SQLite store: the DSR bookkeeping, with the statements `DSRReportLoader` runs inside
/// its own transactions.
public struct DSRReportStore: DSRReportRepository {
    public let database: StoreDatabase

    public init(database: StoreDatabase) { self.database = database }

    public func report(id: Int64) throws -> DSRStoredReport? {
        try database.read { db in try Self.report(db, id: id) }
    }

    public func report(key: DSRReportKey) throws -> DSRStoredReport? {
        try database.read { db in try Self.report(db, key: key) }
    }

    public func reports() throws -> [DSRStoredReport] {
        try database.read { db in try DSRStoredReport.fetchAll(db, sql: "SELECT * FROM dsr_reports ORDER BY id") }
    }

    public func warnings(reportId id: Int64) throws -> [Problem] {
        try database.read { db in try Self.warnings(db, reportId: id) }
    }

    public func state(of key: DSRReportKey) throws -> DSRReportState {
        try database.read { db in try Self.state(db, of: key) }
    }

    @discardableResult
    public func apply(_ event: DSRReportState.Event, to key: DSRReportKey, failure: (code: String, message: String)?,
                      now: String) throws -> DSRReportState
    {
        try database.write { db in try Self.apply(event, to: key, changes: DSRReportChanges(failure: failure), now: now, db).state }
    }

    public func fetch(dsp: String, remotePath: String, size: UInt64) throws -> DSRFetchRecord? {
        try database.read { db in
            try Self.fetches(db, "dsp = ? AND remote_path = ? AND size = ? ORDER BY id DESC LIMIT 1", [dsp, remotePath, Int64(size)]).first
        }
    }

    @discardableResult
    public func recordFetched(_ file: NewDSRFetch, now: String) throws -> DSRFetchRecord {
        try database.write { db in
            let key: StatementArguments = [file.dsp, file.remotePath, Int64(file.size), file.sha256]
            if let existing = try Self.fetches(db, "dsp = ? AND remote_path = ? AND size = ? AND sha256 = ?", key).first {
                if existing.localPath != file.localPath {
                    try db.execute(sql: "UPDATE dsr_fetches SET local_path = ?, updated_at = ? WHERE id = ?",
                                   arguments: [file.localPath, now, existing.id])
                }
                return try Self.fetches(db, "id = ?", [existing.id])[0]
            }
            try db.execute(sql: """
                INSERT INTO dsr_fetches (dsp, remote_path, file_name, size, remote_mtime, sha256, local_path, report_key,
                                         state, fetched_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [file.dsp, file.remotePath, file.fileName, Int64(file.size), file.remoteModified, file.sha256,
                                 file.localPath, file.reportKey.description, DSRReportState.fetched.fetchRowState, now, now])
            return try Self.fetches(db, "id = ?", [db.lastInsertedRowID])[0]
        }
    }

    public func markAfterFetch(_ ids: [Int64], action: DSRAfterFetch, now: String) throws {
        guard !ids.isEmpty else { return }
        try database.write { db in
            let statement = try db.makeStatement(sql: "UPDATE dsr_fetches SET after_fetch = ?, updated_at = ? WHERE id = ?")
            for id in ids { try statement.execute(arguments: [action.rawValue, now, id]) }
        }
    }

    public func fetches(dsp: String?) throws -> [DSRFetchRecord] {
        try database.read { db in
            if let dsp { return try Self.fetches(db, "dsp = ? ORDER BY id", [dsp]) }
            return try Self.fetches(db, "1 ORDER BY id", [])
        }
    }

    // MARK: Inside a transaction

    static func report(_ db: GRDB.Database, id: Int64) throws -> DSRStoredReport? {
        try DSRStoredReport.fetchOne(db, sql: "SELECT * FROM dsr_reports WHERE id = ?", arguments: [id])
    }

    static func report(_ db: GRDB.Database, key: DSRReportKey) throws -> DSRStoredReport? {
        try DSRStoredReport.fetchOne(db, sql: """
            SELECT * FROM dsr_reports
            WHERE recipient = ? AND sender = ? AND service = ? AND period = ? AND territory = ? AND name_created = ?
            """, arguments: [key.recipient, key.sender, key.service, key.period, key.territory, key.created])
    }

    static func warnings(_ db: GRDB.Database, reportId id: Int64) throws -> [Problem] {
        try Row.fetchAll(db, sql: "SELECT code, location, message FROM dsr_report_warnings WHERE report_id = ? ORDER BY id",
                         arguments: [id]).map { row in
            .warning(ProblemCode(rawValue: try row.value("code", in: "dsr_report_warnings")),
                     at: try row.value("location", in: "dsr_report_warnings"),
                     try row.value("message", in: "dsr_report_warnings"))
        }
    }

    static func state(_ db: GRDB.Database, of key: DSRReportKey) throws -> DSRReportState {
        if let report = try report(db, key: key) { return report.state }
        let states = try String.fetchAll(db, sql: "SELECT DISTINCT state FROM dsr_fetches WHERE report_key = ?",
                                         arguments: [key.description])
        return !states.isEmpty && states.allSatisfy { $0 == DSRReportState.failed.fetchRowState } ? .failed : .fetched
    }

    static func fetches(_ db: GRDB.Database, _ condition: String, _ arguments: StatementArguments) throws -> [DSRFetchRecord] {
        try DSRFetchRecord.fetchAll(db, sql: "SELECT * FROM dsr_fetches WHERE \(condition)", arguments: arguments)
    }
}
