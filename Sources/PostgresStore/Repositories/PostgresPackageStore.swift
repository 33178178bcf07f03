import DDEXModel
import Store

/// `PackageRepository` on PostgreSQL, with `PackageStore`'s contract: every write is one `SERIALIZABLE` transaction
/// (run again on a conflict, so two ddexd instances never both move one package), every read one snapshot.
public struct PostgresPackageStore: PackageRepository {
    public let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    @discardableResult
    public func receive(id: String, account: String, source: String, workPath: String, now: String) throws -> PackageRecord {
        try database.write { session in
            if let existing = try Self.find(session, id) { return existing }
            try session.execute("""
                INSERT INTO packages (id, account, source, work_path, state, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [id, account, source, workPath, PackageState.received.rawValue, now, now])
            try Self.insertEvent(session, id, PackageEvent(at: now, event: "received", detail: source))
            return try Self.get(session, id)
        }
    }

    @discardableResult
    public func transition(_ id: String, _ event: PackageState.Event, now: String, changes: PackageChanges) throws -> PackageRecord {
        try database.write { session in
            guard let current = try Self.find(session, id) else { throw StoreError(.misuse, message: "no package \(id)") }
            let next = try current.state.applying(event)
            try session.update("packages", try changes.assignments(state: next, now: now), id: id)
            try Self.insertEvent(session, id, PackageEvent(at: now, event: next.rawValue, detail: changes.detail))
            return try Self.get(session, id)
        }
    }

    public func record(_ id: String, _ event: PackageEvent) throws {
        try database.write { session in try Self.insertEvent(session, id, event) }
    }

    public func package(_ id: String) throws -> PackageRecord? {
        try database.read { session in try Self.find(session, id) }
    }

    public func packages(in states: [PackageState]) throws -> [PackageRecord] {
        try database.read { session in
            try session.query("SELECT * FROM packages WHERE state = ANY($1) ORDER BY created_at, id", [states.map(\.rawValue)])
                .map(PackageRecord.init(row:))
        }
    }

    public func timeline(_ id: String) throws -> [PackageEvent] {
        try database.read { session in
            try session.query("SELECT * FROM package_events WHERE package_id = $1 ORDER BY id", [id]).map(PackageEvent.init(row:))
        }
    }

    public func counts() throws -> [PackageState: Int] {
        try database.read { session in
            try PackageRecord.stateCounts(session.query("SELECT state, count(*) AS count FROM packages GROUP BY state"))
        }
    }

    /// A timeline entry, inside the caller's transaction (acknowledgements write theirs with the delivery's state).
    static func insertEvent(_ session: PostgresSession, _ id: String, _ event: PackageEvent) throws {
        try session.execute("INSERT INTO package_events (package_id, at, event, dsp, detail) VALUES ($1, $2, $3, $4, $5)",
                            [id, event.at, event.event, event.dsp, event.detail])
    }

    private static func find(_ session: PostgresSession, _ id: String) throws -> PackageRecord? {
        try session.query("SELECT * FROM packages WHERE id = $1", [id]).first.map(PackageRecord.init(row:))
    }

    private static func get(_ session: PostgresSession, _ id: String) throws -> PackageRecord {
        guard let record = try find(session, id) else { throw StoreError(.misuse, message: "no package \(id)") }
        return record
    }
}
