import Store

/// `ClusterRepository` on PostgreSQL, shared by every instance on the database. Leases are taken under READ
/// COMMITTED with row locks: the conditional upsert of `LeaseSQL` is atomic on its own, and a batch claim skips the
/// rows another instance is claiming at that moment (`FOR UPDATE SKIP LOCKED`) instead of waiting for it.
public struct PostgresClusterStore: ClusterRepository {
    public let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    static let acquireSQL = LeaseSQL.acquire(placeholders: ["$1", "$2", "$3", "$4"])

    public func acquire(_ resource: String, holder: String, now: Double, duration: Double) throws -> Lease? {
        try database.write(isolation: .readCommitted) { session in
            try session.query(Self.acquireSQL, [resource, holder, now, now + duration]).first.map { try Lease(row: $0) }
        }
    }

    public func acquire(_ resources: [String], holder: String, now: Double, duration: Double, limit: Int) throws -> [Lease] {
        guard !resources.isEmpty, limit > 0 else { return [] }
        return try database.write(isolation: .readCommitted) { session in
            let locked = try Set(session.query("""
                SELECT resource FROM leases WHERE resource = ANY($1) FOR UPDATE SKIP LOCKED
                """, [resources]).map { row -> String in try row.value("resource", in: "leases") })
            let existing = try Set(session.query("SELECT resource FROM leases WHERE resource = ANY($1)", [resources])
                .map { row -> String in try row.value("resource", in: "leases") })
            var taken: [Lease] = []
            for resource in resources where taken.count < limit {
                // A row that exists but was not locked is being claimed by another instance right now.
                if existing.contains(resource) && !locked.contains(resource) { continue }
                if let row = try session.query(Self.acquireSQL, [resource, holder, now, now + duration]).first {
                    taken.append(try Lease(row: row))
                }
            }
            return taken
        }
    }

    public func renew(holder: String, now: Double, duration: Double) throws -> [Lease] {
        try database.write(isolation: .readCommitted) { session in
            try session.execute("UPDATE instances SET heartbeat_at = $1 WHERE id = $2", [now, holder])
            return try session.query("""
                UPDATE leases SET expires_at = $1 WHERE holder = $2
                RETURNING resource, holder, acquired_at, expires_at, generation
                """, [now + duration, holder]).map { try Lease(row: $0) }.sorted { $0.resource < $1.resource }
        }
    }

    public func release(_ resource: String, holder: String) throws {
        try database.write(isolation: .readCommitted) { session in
            _ = try session.execute("DELETE FROM leases WHERE resource = $1 AND holder = $2", [resource, holder])
        }
    }

    public func dropExpired(before cutoff: Double) throws {
        try database.write(isolation: .readCommitted) { session in
            _ = try session.execute("DELETE FROM leases WHERE expires_at < $1 AND resource NOT LIKE 'instance:%'", [cutoff])
        }
    }

    public func releaseAll(holder: String, stoppedAt now: String) throws {
        try database.write(isolation: .readCommitted) { session in
            try session.execute("DELETE FROM leases WHERE holder = $1", [holder])
            try session.execute("UPDATE instances SET stopped_at = $1 WHERE id = $2", [now, holder])
        }
    }

    public func lease(_ resource: String) throws -> Lease? {
        try database.read { session in
            try session.query("SELECT * FROM leases WHERE resource = $1", [resource]).first.map { try Lease(row: $0) }
        }
    }

    public func leases() throws -> [Lease] {
        try database.read { session in
            try session.query("SELECT * FROM leases ORDER BY resource").map { try Lease(row: $0) }
        }
    }

    public func register(_ instance: InstanceRecord) throws {
        try database.write(isolation: .readCommitted) { session in
            _ = try session.execute("""
                INSERT INTO instances (id, host, pid, version, started_at, heartbeat_at, stopped_at)
                VALUES ($1, $2, $3, $4, $5, $6, NULL)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, stopped_at = NULL
                """, [instance.id, instance.host, instance.pid, instance.version, instance.startedAt, instance.heartbeatAt])
        }
    }

    /// The server's clock: `clock_timestamp()`, the time of the call (not of the transaction).
    public func storeTime() throws -> Double? {
        try database.withSession { session in
            try session.query("SELECT extract(epoch FROM clock_timestamp())::float8 AS now").first?.first(Double.self)
        }
    }

    public func instances() throws -> [InstanceRecord] {
        try database.read { session in
            try session.query("SELECT * FROM instances ORDER BY heartbeat_at DESC, id").map { try InstanceRecord(row: $0) }
        }
    }
}
