import DDEXModel
import PostgresNIO
import Store

/// `DeliveryRepository` on PostgreSQL, with `DeliveryStore`'s contract. Every change is one `SERIALIZABLE`
/// transaction that reads the state it changes, run again when another instance changed it meanwhile: two workers,
/// in one process or in two ddexd instances, never both move one delivery. Reads see one snapshot.
public struct PostgresDeliveryStore: DeliveryRepository {
    public let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    @discardableResult
    public func enqueue(_ delivery: NewDelivery, now: String) throws -> DeliveryRecord {
        try database.write { session in
            if let existing = try Self.find(session, "package_id = $1 AND dsp = $2", [delivery.packageId, delivery.dsp]).first {
                return existing
            }
            let inserted = try session.query("""
                INSERT INTO deliveries (package_id, dsp, release_id, kind, state, batch_id, message_id, bundle_path,
                                        remote_folder, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
                """, [delivery.packageId, delivery.dsp, delivery.releaseId, delivery.kind.rawValue, DeliveryState.queued.rawValue,
                      delivery.batchId, delivery.messageId, delivery.bundlePath, delivery.remoteFolder, now, now])
            guard let id = try inserted.first?.first(Int64.self) else {
                throw StoreError(.step, message: "inserting the delivery of \(delivery.packageId) to \(delivery.dsp) returned no id")
            }
            for file in delivery.files {
                try session.execute("""
                    INSERT INTO delivery_files (delivery_id, seq, role, local_path, remote_path, size, placed)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """, [id, Int64(file.seq), file.role.rawValue, file.localPath, file.remotePath, Int64(file.size),
                          Int64(file.placed ? 1 : 0)])
            }
            return try Self.get(session, id)
        }
    }

    @discardableResult
    public func transition(_ id: Int64, _ event: DeliveryState.Event, now: String, changes: DeliveryChanges) throws -> DeliveryRecord {
        try database.write { session in try Self.apply(event, to: id, now: now, changes: changes, session) }
    }

    /// The one way a delivery's state is written, inside the caller's transaction (acknowledgements apply theirs
    /// with the acknowledgement's own rows): `DeliveryState.next(after:)` applied to the state read in that same
    /// transaction, with the columns that go with it.
    static func apply(_ event: DeliveryState.Event, to id: Int64, now: String, changes: DeliveryChanges,
                      _ session: PostgresSession) throws -> DeliveryRecord
    {
        let current = try get(session, id)
        let next = try current.state.applying(event)
        try session.update("deliveries", changes.assignments(after: event, state: next, now: now), id: id)
        return try get(session, id)
    }

    public func markPlaced(delivery id: Int64, seq: Int) throws {
        _ = try database.write { session in
            try session.execute("UPDATE delivery_files SET placed = 1 WHERE delivery_id = $1 AND seq = $2", [id, Int64(seq)])
        }
    }

    public func files(of id: Int64) throws -> [DeliveryFile] {
        try database.read { session in
            try session.query("SELECT * FROM delivery_files WHERE delivery_id = $1 ORDER BY seq", [id]).map(DeliveryFile.init(row:))
        }
    }

    public func delivery(_ id: Int64) throws -> DeliveryRecord? {
        try database.read { session in try Self.find(session, "id = $1", [id]).first }
    }

    public func deliveries(ofPackage packageId: String) throws -> [DeliveryRecord] {
        try database.read { session in try Self.find(session, "package_id = $1 ORDER BY dsp", [packageId]) }
    }

    public func deliveries(dsp: String?, states: [DeliveryState]) throws -> [DeliveryRecord] {
        try database.read { session in
            let states = states.map(\.rawValue)
            if let dsp { return try Self.find(session, "dsp = $1 AND state = ANY($2) ORDER BY id", [dsp, states]) }
            return try Self.find(session, "state = ANY($1) ORDER BY id", [states])
        }
    }

    public func due(dsp: String, now: Double, limit: Int) throws -> [DeliveryRecord] {
        try database.read { session in
            try Self.find(session, """
                state IN ('queued', 'retry-wait') AND dsp = $1 AND (state = 'queued' OR next_attempt_at <= $2)
                AND NOT EXISTS (SELECT 1 FROM deliveries earlier WHERE earlier.dsp = deliveries.dsp
                                AND earlier.release_id = deliveries.release_id AND earlier.id < deliveries.id
                                AND earlier.state IN ('queued', 'uploading', 'uploaded', 'retry-wait'))
                ORDER BY id LIMIT $3
                """, [dsp, now, Int64(limit)])
        }
    }

    public func dueForAckListing(dsp: String, now: Double, pollSeconds: Double, deadline: Double,
                                 recentWindow: Double) throws -> [(id: Int64, remoteFolder: String)] {
        // A delivery's age counts from its last change; `updated_at` is the store's RFC 3339 UTC text
        // (`Timestamp.format`), which PostgreSQL reads as a `timestamptz` the way SQLite's `julianday` does.
        try database.read { session in
            try session.query("""
                SELECT id, remote_folder FROM (
                    SELECT id, remote_folder, state, ack_checked_at,
                           $2::double precision - extract(epoch FROM updated_at::timestamptz)::double precision AS age
                    FROM deliveries WHERE dsp = $1 AND state IN ('completed', 'acknowledged', 'rejected-by-dsp')) AS candidates
                WHERE age < CASE state WHEN 'completed' THEN $3::double precision ELSE $4::double precision END
                  AND (ack_checked_at IS NULL OR age / 10 <= $5::double precision OR $2::double precision - ack_checked_at >= age / 10)
                ORDER BY id
                """, [dsp, now, deadline, recentWindow, pollSeconds]).map(DeliveryRecord.ackListing)
        }
    }

    public func markAckChecked(_ ids: [Int64], at time: Double) throws {
        guard !ids.isEmpty else { return }
        _ = try database.write { session in
            try session.execute("UPDATE deliveries SET ack_checked_at = $1 WHERE id = ANY($2)", [time, ids])
        }
    }

    public func counts() throws -> [String: [DeliveryState: Int]] {
        try database.read { session in
            try DeliveryRecord.stateCounts(session.query("SELECT dsp, state, count(*) AS count FROM deliveries GROUP BY dsp, state"))
        }
    }

    public func match(dsp: String, messageId: String?, batchId: String?, releaseId: String?) throws -> DeliveryRecord? {
        try database.read { session in
            if let messageId, let d = try Self.find(session, "dsp = $1 AND message_id = $2 ORDER BY id LIMIT 1", [dsp, messageId]).first {
                return d
            }
            if let batchId, let d = try Self.find(session, "dsp = $1 AND batch_id = $2 ORDER BY id LIMIT 1", [dsp, batchId]).first {
                return d
            }
            guard let releaseId else { return nil }
            return try Self.find(session, "dsp = $1 AND release_id = $2 ORDER BY (state = 'completed') DESC, id DESC LIMIT 1",
                                 [dsp, releaseId]).first
        }
    }

    static func find(_ session: PostgresSession, _ condition: String,
                     _ arguments: [(any PostgresDynamicTypeEncodable)?]) throws -> [DeliveryRecord]
    {
        try session.query("SELECT * FROM deliveries WHERE \(condition)", arguments).map(DeliveryRecord.init(row:))
    }

    static func get(_ session: PostgresSession, _ id: Int64) throws -> DeliveryRecord {
        guard let record = try find(session, "id = $1", [id]).first else { throw StoreError(.misuse, message: "no delivery \(id)") }
        return record
    }
}
