import GRDB

/// `ClusterRepository` on the SQLite store. Its writes run one at a time on the store's one writer, so a lease is
/// taken by a plain conditional upsert; there is no one to skip.
public struct ClusterStore: ClusterRepository {
    public let database: StoreDatabase

    public init(database: StoreDatabase) { self.database = database }

    public func acquire(_ resource: String, holder: String, now: Double, duration: Double) throws -> Lease? {
        try database.write { db in try Self.acquire(db, resource, holder: holder, now: now, duration: duration) }
    }

    public func acquire(_ resources: [String], holder: String, now: Double, duration: Double, limit: Int) throws -> [Lease] {
        try database.write { db in
            var taken: [Lease] = []
            for resource in resources where taken.count < limit {
                if let lease = try Self.acquire(db, resource, holder: holder, now: now, duration: duration) { taken.append(lease) }
            }
            return taken
        }
    }

    public func renew(holder: String, now: Double, duration: Double) throws -> [Lease] {
        try database.write { db in
            try db.execute(sql: "UPDATE instances SET heartbeat_at = ? WHERE id = ?", arguments: [now, holder])
            try db.execute(sql: "UPDATE leases SET expires_at = ? WHERE holder = ?", arguments: [now + duration, holder])
            return try Row.fetchAll(db, sql: "SELECT * FROM leases WHERE holder = ? ORDER BY resource", arguments: [holder])
                .map { try Lease(row: $0) }
        }
    }

    public func release(_ resource: String, holder: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM leases WHERE resource = ? AND holder = ?", arguments: [resource, holder])
        }
    }

    public func dropExpired(before cutoff: Double) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM leases WHERE expires_at < ? AND resource NOT LIKE 'instance:%'", arguments: [cutoff])
        }
    }

    public func releaseAll(holder: String, stoppedAt now: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM leases WHERE holder = ?", arguments: [holder])
            try db.execute(sql: "UPDATE instances SET stopped_at = ? WHERE id = ?", arguments: [now, holder])
        }
    }

    public func lease(_ resource: String) throws -> Lease? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM leases WHERE resource = ?", arguments: [resource]).map { try Lease(row: $0) }
        }
    }

    public func leases() throws -> [Lease] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM leases ORDER BY resource").map { try Lease(row: $0) }
        }
    }

    public func register(_ instance: InstanceRecord) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO instances (id, host, pid, version, started_at, heartbeat_at, stopped_at)
                VALUES (?, ?, ?, ?, ?, ?, NULL)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, stopped_at = NULL
                """, arguments: [instance.id, instance.host, instance.pid, instance.version, instance.startedAt,
                                 instance.heartbeatAt])
        }
    }

    /// Nil: every instance of a SQLite store runs on this host and reads its clock.
    public func storeTime() throws -> Double? { nil }

    public func instances() throws -> [InstanceRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM instances ORDER BY heartbeat_at DESC, id").map { try InstanceRecord(row: $0) }
        }
    }

    /// The one lease rule, as one statement: insert, or take over when the row's holder is `holder` or its lease
    /// has expired (the generation grows when the holder changes). No row comes back while another instance holds it.
    static func acquire(_ db: GRDB.Database, _ resource: String, holder: String, now: Double, duration: Double) throws -> Lease? {
        try Row.fetchOne(db, sql: LeaseSQL.acquire(placeholders: ["?", "?", "?", "?"]),
                         arguments: [resource, holder, now, now + duration]).map { try Lease(row: $0) }
    }
}

extension Lease {
    /// Decodes a `leases` row by column name, whatever the engine.
    public init(row: some StoredRow) throws(StoreError) {
        self.init(resource: try row.text("resource", in: "leases"), holder: try row.text("holder", in: "leases"),
                  acquiredAt: try row.double("acquired_at", in: "leases"), expiresAt: try row.double("expires_at", in: "leases"),
                  generation: try row.integer("generation", in: "leases"))
    }
}

extension InstanceRecord {
    /// Decodes an `instances` row by column name, whatever the engine.
    public init(row: some StoredRow) throws(StoreError) {
        self.init(id: try row.text("id", in: "instances"), host: try row.text("host", in: "instances"),
                  pid: try row.integer("pid", in: "instances"), version: try row.text("version", in: "instances"),
                  startedAt: try row.text("started_at", in: "instances"),
                  heartbeatAt: try row.double("heartbeat_at", in: "instances"),
                  stoppedAt: try row.optionalText("stopped_at", in: "instances"))
    }
}
