import DDEXModel
import DSR
import GRDB

/// `DSRReportRepository` on the SQLite store: the DSR bookkeeping's rules (`DSRReportRules`) over SQLite's
/// statements (`SQLiteDSRReportTransaction`), the same rules `DSRReportLoader` applies inside its own transactions.
public struct DSRReportStore: DSRReportRepository {
    public let database: StoreDatabase

    public init(database: StoreDatabase) { self.database = database }

    public func report(id: Int64) throws -> DSRStoredReport? {
        try read { db in try db.report(id: id) }
    }

    public func report(key: DSRReportKey) throws -> DSRStoredReport? {
        try read { db in try db.report(key: key) }
    }

    public func reports() throws -> [DSRStoredReport] {
        try database.read { db in try DSRStoredReport.fetchAll(db, sql: "SELECT * FROM dsr_reports ORDER BY id") }
    }

    public func warnings(reportId id: Int64) throws -> [Problem] {
        try read { db in try db.warnings(reportId: id) }
    }

    public func state(of key: DSRReportKey) throws -> DSRReportState {
        try read { db in try DSRReportRules.state(of: key, in: db) }
    }

    @discardableResult
    public func apply(_ event: DSRReportState.Event, to key: DSRReportKey, failure: (code: String, message: String)?,
                      now: String) throws -> DSRReportState
    {
        try write { db in try DSRReportRules.apply(event, to: key, changes: DSRReportChanges(failure: failure), now: now, in: db).state }
    }

    public func fetch(dsp: String, remotePath: String, size: UInt64) throws -> DSRFetchRecord? {
        try read { db in
            try db.fetches("dsp = ? AND remote_path = ? AND size = ? ORDER BY id DESC LIMIT 1", [dsp, remotePath, Int64(size)]).first
        }
    }

    @discardableResult
    public func recordFetched(_ file: NewDSRFetch, now: String) throws -> DSRFetchRecord {
        try write { db in try DSRReportRules.recordFetched(file, now: now, in: db) }
    }

    public func markAfterFetch(_ ids: [Int64], action: DSRAfterFetch, now: String) throws {
        guard !ids.isEmpty else { return }
        try database.write { db in
            let statement = try db.makeStatement(sql: "UPDATE dsr_fetches SET after_fetch = ?, updated_at = ? WHERE id = ?")
            for id in ids { try statement.execute(arguments: [action.rawValue, now, id]) }
        }
    }

    public func fetches(dsp: String?) throws -> [DSRFetchRecord] {
        try read { db in
            if let dsp { return try db.fetches("dsp = ? ORDER BY id", [dsp]) }
            return try db.fetches("1 ORDER BY id", [])
        }
    }

    private func read<T>(_ body: (SQLiteDSRReportTransaction) throws -> T) throws -> T {
        try database.read { db in try body(SQLiteDSRReportTransaction(db: db)) }
    }

    private func write<T>(_ body: (SQLiteDSRReportTransaction) throws -> T) throws -> T {
        try database.write { db in try body(SQLiteDSRReportTransaction(db: db)) }
    }
}
