import DDEXModel
import GRDB

/// `DeliveryRepository` on the SQLite store: one transaction per change on its one writer, reads on its reading
/// connections.
public struct DeliveryStore: DeliveryRepository {
    public let database: StoreDatabase

    public init(database: StoreDatabase) { self.database = database }

    @discardableResult
    public func enqueue(_ delivery: NewDelivery, now: String) throws -> DeliveryRecord {
        try database.write { db in
            if let existing = try Self.find(db, "package_id = ? AND dsp = ?", [delivery.packageId, delivery.dsp]).first {
                return existing
            }
            try db.execute(sql: """
                INSERT INTO deliveries (package_id, dsp, release_id, kind, state, batch_id, message_id, bundle_path,
                                        remote_folder, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [delivery.packageId, delivery.dsp, delivery.releaseId, delivery.kind.rawValue,
                                 DeliveryState.queued.rawValue, delivery.batchId, delivery.messageId, delivery.bundlePath,
                                 delivery.remoteFolder, now, now])
            let id = db.lastInsertedRowID
            let insert = try db.makeStatement(sql: """
                INSERT INTO delivery_files (delivery_id, seq, role, local_path, remote_path, size, placed) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for file in delivery.files {
                try insert.execute(arguments: [id, file.seq, file.role.rawValue, file.localPath, file.remotePath,
                                               Int64(file.size), file.placed])
            }
            return try Self.get(db, id)
        }
    }

    @discardableResult
    public func transition(_ id: Int64, _ event: DeliveryState.Event, now: String, changes: DeliveryChanges) throws -> DeliveryRecord {
        try database.write { db in try Self.apply(event, to: id, now: now, changes: changes, db) }
    }

    /// The one way a delivery's state is written, inside the caller's transaction (acknowledgements apply theirs
    /// with the acknowledgement's own rows): `DeliveryState.next(after:)` applied to the state read in that same
    /// transaction, with the columns that go with it.
    static func apply(_ event: DeliveryState.Event, to id: Int64, now: String, changes: DeliveryChanges,
                      _ db: GRDB.Database) throws -> DeliveryRecord
    {
        let current = try get(db, id)
        let next = try current.state.applying(event)
        try db.update("deliveries", changes.assignments(after: event, state: next, now: now), id: id)
        return try get(db, id)
    }

    public func markPlaced(delivery id: Int64, seq: Int) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE delivery_files SET placed = 1 WHERE delivery_id = ? AND seq = ?", arguments: [id, seq])
        }
    }

    public func files(of id: Int64) throws -> [DeliveryFile] {
        try database.read { db in
            try DeliveryFile.fetchAll(db, sql: "SELECT * FROM delivery_files WHERE delivery_id = ? ORDER BY seq", arguments: [id])
        }
    }

    public func delivery(_ id: Int64) throws -> DeliveryRecord? {
        try database.read { db in try Self.find(db, "id = ?", [id]).first }
    }

    public func deliveries(ofPackage packageId: String) throws -> [DeliveryRecord] {
        try database.read { db in try Self.find(db, "package_id = ? ORDER BY dsp", [packageId]) }
    }

    public func deliveries(dsp: String?, states: [DeliveryState]) throws -> [DeliveryRecord] {
        try database.read { db in
            let states = states.map(\.rawValue)
            if let dsp {
                return try SQLRequest<DeliveryRecord>(literal: "SELECT * FROM deliveries WHERE dsp = \(dsp) AND state IN \(states) ORDER BY id")
                    .fetchAll(db)
            }
            return try SQLRequest<DeliveryRecord>(literal: "SELECT * FROM deliveries WHERE state IN \(states) ORDER BY id").fetchAll(db)
        }
    }

    public func due(dsp: String, now: Double, limit: Int) throws -> [DeliveryRecord] {
        try database.read { db in
            try Self.find(db, """
                state IN ('queued', 'retry-wait') AND dsp = ? AND (state = 'queued' OR next_attempt_at <= ?)
                AND NOT EXISTS (SELECT 1 FROM deliveries earlier WHERE earlier.dsp = deliveries.dsp
                                AND earlier.release_id = deliveries.release_id AND earlier.id < deliveries.id
                                AND earlier.state IN ('queued', 'uploading', 'uploaded', 'retry-wait'))
                ORDER BY id LIMIT ?
                """, [dsp, now, limit])
        }
    }

    public func dueForAckListing(dsp: String, now: Double, pollSeconds: Double, deadline: Double,
                                 recentWindow: Double) throws -> [(id: Int64, remoteFolder: String)] {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, remote_folder FROM (
                    SELECT id, remote_folder, state, ack_checked_at, ?2 - (julianday(updated_at) - 2440587.5) * 86400 AS age
                    FROM deliveries WHERE dsp = ?1 AND state IN ('completed', 'acknowledged', 'rejected-by-dsp'))
                WHERE age < CASE state WHEN 'completed' THEN ?3 ELSE ?4 END
                  AND (ack_checked_at IS NULL OR age / 10 <= ?5 OR ?2 - ack_checked_at >= age / 10)
                ORDER BY id
                """, arguments: [dsp, now, deadline, recentWindow, pollSeconds])
            return try rows.map(DeliveryRecord.ackListing)
        }
    }

    public func markAckChecked(_ ids: [Int64], at time: Double) throws {
        guard !ids.isEmpty else { return }
        try database.write { db in
            let statement = try db.makeStatement(sql: "UPDATE deliveries SET ack_checked_at = ? WHERE id = ?")
            for id in ids { try statement.execute(arguments: [time, id]) }
        }
    }

    public func counts() throws -> [String: [DeliveryState: Int]] {
        try database.read { db in
            try DeliveryRecord.stateCounts(Row.fetchAll(db, sql: "SELECT dsp, state, COUNT(*) AS count FROM deliveries GROUP BY dsp, state"))
        }
    }

    public func match(dsp: String, messageId: String?, batchId: String?, releaseId: String?) throws -> DeliveryRecord? {
        try database.read { db in
            if let messageId, let d = try Self.find(db, "dsp = ? AND message_id = ? ORDER BY id LIMIT 1", [dsp, messageId]).first { return d }
            if let batchId, let d = try Self.find(db, "dsp = ? AND batch_id = ? ORDER BY id LIMIT 1", [dsp, batchId]).first { return d }
            guard let releaseId else { return nil }
            return try Self.find(db, "dsp = ? AND release_id = ? ORDER BY (state = 'completed') DESC, id DESC",
                                 [dsp, releaseId]).first
        }
    }

    static func find(_ db: GRDB.Database, _ condition: String, _ arguments: StatementArguments) throws -> [DeliveryRecord] {
        try DeliveryRecord.fetchAll(db, sql: "SELECT * FROM deliveries WHERE \(condition)", arguments: arguments)
    }

    static func get(_ db: GRDB.Database, _ id: Int64) throws -> DeliveryRecord {
        guard let record = try find(db, "id = ?", [id]).first else { throw StoreError(.misuse, message: "no delivery \(id)") }
        return record
    }
}
