import DDEXModel
import DSR
import Store

/// `DSRReportRepository` on PostgreSQL: the DSR bookkeeping with the same rules as the SQLite store's
/// (`DSRReportRules` over `PostgresDSRReportTransaction`). Reads see one committed snapshot; every state change
/// runs in one `SERIALIZABLE` transaction, so two instances applying events to the same report do so one after the
/// other (the loser of a conflict runs again and sees the winner's state).
public struct PostgresDSRReportStore: DSRReportRepository {
    public let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    public func report(id: Int64) throws -> DSRStoredReport? {
        try read { db in try db.report(id: id) }
    }

    public func report(key: DSRReportKey) throws -> DSRStoredReport? {
        try read { db in try db.report(key: key) }
    }

    public func reports() throws -> [DSRStoredReport] {
        try read { db in try db.reports() }
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
            try db.fetches("dsp = $1 AND remote_path = $2 AND size = $3 ORDER BY id DESC LIMIT 1", [dsp, remotePath, Int64(size)]).first
        }
    }

    @discardableResult
    public func recordFetched(_ file: NewDSRFetch, now: String) throws -> DSRFetchRecord {
        try write { db in try DSRReportRules.recordFetched(file, now: now, in: db) }
    }

    public func markAfterFetch(_ ids: [Int64], action: DSRAfterFetch, now: String) throws {
        guard !ids.isEmpty else { return }
        _ = try database.write { session in
            try session.execute("UPDATE dsr_fetches SET after_fetch = $1, updated_at = $2 WHERE id = ANY($3)", [action.rawValue, now, ids])
        }
    }

    public func fetches(dsp: String?) throws -> [DSRFetchRecord] {
        try read { db in
            if let dsp { return try db.fetches("dsp = $1 ORDER BY id", [dsp]) }
            return try db.fetches("true ORDER BY id", [])
        }
    }

    private func read<T>(_ body: (PostgresDSRReportTransaction) throws -> T) throws -> T {
        try database.read { session in try body(PostgresDSRReportTransaction(session: session)) }
    }

    private func write<T>(_ body: (PostgresDSRReportTransaction) throws -> T) throws -> T {
        try database.write { session in try body(PostgresDSRReportTransaction(session: session)) }
    }
}
