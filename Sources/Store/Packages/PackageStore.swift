import DDEXModel
import GRDB

/// `PackageRepository` on the SQLite store: writes on its one writer, reads on its reading connections.
public struct PackageStore: PackageRepository {
    public let database: StoreDatabase

    public init(database: StoreDatabase) { self.database = database }

    @discardableResult
    public func receive(id: String, account: String, source: String, workPath: String, now: String) throws -> PackageRecord {
        try database.write { db in
            if let existing = try Self.find(db, id) { return existing }
            try db.execute(sql: """
                INSERT INTO packages (id, account, source, work_path, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, account, source, workPath, PackageState.received.rawValue, now, now])
            try Self.insertEvent(db, id, PackageEvent(at: now, event: "received", detail: source))
            return try Self.get(db, id)
        }
    }

    @discardableResult
    public func transition(_ id: String, _ event: PackageState.Event, now: String, changes: PackageChanges) throws -> PackageRecord {
        try database.write { db in
            guard let current = try Self.find(db, id) else { throw StoreError(.misuse, message: "no package \(id)") }
            let next = try current.state.applying(event)
            try db.update("packages", try changes.assignments(state: next, now: now), id: id)
            try Self.insertEvent(db, id, PackageEvent(at: now, event: next.rawValue, detail: changes.detail))
            return try Self.get(db, id)
        }
    }

    public func record(_ id: String, _ event: PackageEvent) throws {
        try database.write { db in try Self.insertEvent(db, id, event) }
    }

    public func package(_ id: String) throws -> PackageRecord? {
        try database.read { db in try Self.find(db, id) }
    }

    public func packages(in states: [PackageState]) throws -> [PackageRecord] {
        try database.read { db in
            try SQLRequest<PackageRecord>(literal: """
                SELECT * FROM packages WHERE state IN \(states.map(\.rawValue)) ORDER BY created_at, id
                """).fetchAll(db)
        }
    }

    public func timeline(_ id: String) throws -> [PackageEvent] {
        try database.read { db in
            try PackageEvent.fetchAll(db, sql: "SELECT * FROM package_events WHERE package_id = ? ORDER BY id", arguments: [id])
        }
    }

    public func counts() throws -> [PackageState: Int] {
        try database.read { db in
            try PackageRecord.stateCounts(Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS count FROM packages GROUP BY state"))
        }
    }

    /// A timeline entry, inside the caller's transaction (acknowledgements write theirs with the delivery's state).
    static func insertEvent(_ db: GRDB.Database, _ id: String, _ event: PackageEvent) throws {
        try db.execute(sql: "INSERT INTO package_events (package_id, at, event, dsp, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [id, event.at, event.event, event.dsp, event.detail])
    }

    static func find(_ db: GRDB.Database, _ id: String) throws -> PackageRecord? {
        try PackageRecord.fetchOne(db, sql: "SELECT * FROM packages WHERE id = ?", arguments: [id])
    }

    private static func get(_ db: GRDB.Database, _ id: String) throws -> PackageRecord {
        guard let record = try find(db, id) else { throw StoreError(.misuse, message: "no package \(id)") }
        return record
    }
}
