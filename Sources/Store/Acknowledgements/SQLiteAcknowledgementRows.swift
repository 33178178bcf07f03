import DDEXModel
import GRDB

/// `AcknowledgementRows` in SQLite, inside the writer's transaction `db`.
struct SQLiteAcknowledgementRows: AcknowledgementRows {
    let db: GRDB.Database

    func ack(dsp: String, remotePath: String, sha256: String) throws -> AckFileRecord? {
        try AcknowledgementStore.find(db, "dsp = ? AND remote_path = ? AND sha256 = ?", [dsp, remotePath, sha256]).first
    }

    func readableAck(dsp: String, sha256: String) throws -> AckFileRecord? {
        try AcknowledgementStore.find(db, "dsp = ? AND sha256 = ? AND outcome <> 'invalid' ORDER BY id LIMIT 1", [dsp, sha256]).first
    }

    func ack(id: Int64) throws -> AckFileRecord? {
        try AcknowledgementStore.find(db, "id = ?", [id]).first
    }

    func touchAck(id: Int64, remoteModified: Double?, now: String) throws {
        try db.execute(sql: "UPDATE acks SET remote_mtime = ?, updated_at = ? WHERE id = ?", arguments: [remoteModified, now, id])
    }

    func insertAck(_ file: NewAckFile, first: AckEntryInput?, outcome: AckOutcome, text: String?, now: String) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO acks (dsp, remote_path, sha256, size, generation, message_id, release_id, batch_id, status, text,
                              outcome, archived_path, received_at, remote_mtime, error_code, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [file.dsp, file.remotePath, file.sha256, Int64(file.size), file.generation, first?.messageId,
                             first?.releaseIds.first, first?.batchId, first?.status, text, outcome.rawValue,
                             file.archivedPath, now, file.remoteModified, file.error?.code, now])
        return db.lastInsertedRowID
    }

    func insertEntries(ackId: Int64, _ entries: [AckEntryInput]) throws {
        let insert = try db.makeStatement(sql: """
            INSERT INTO ack_entries (ack_id, seq, message_id, batch_id, release_ids, status, release_status, text, outcome)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'unmatched')
            """)
        for (seq, entry) in entries.enumerated() {
            try insert.execute(arguments: [ackId, seq, entry.messageId, entry.batchId, entry.releaseIds.joined(separator: " "),
                                           entry.status, entry.releaseStatus, entry.text])
        }
    }

    func unmatchedEntries(ackId: Int64) throws -> Set<Int> {
        Set(try Int.fetchAll(db, sql: "SELECT seq FROM ack_entries WHERE ack_id = ? AND outcome = 'unmatched'", arguments: [ackId]))
    }

    func updateEntry(ackId: Int64, seq: Int, outcome: AckEntryOutcome, deliveryId: Int64?, note: String?) throws {
        try db.execute(sql: "UPDATE ack_entries SET outcome = ?, delivery_id = ?, note = ? WHERE ack_id = ? AND seq = ?",
                       arguments: [outcome.rawValue, deliveryId, note, ackId, seq])
    }

    func firstEntryDelivery(ackId: Int64) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT delivery_id FROM ack_entries WHERE ack_id = ? AND delivery_id IS NOT NULL ORDER BY seq LIMIT 1
            """, arguments: [ackId])
    }

    func finishAck(id: Int64, outcome: AckOutcome, deliveryId: Int64?, now: String) throws {
        try db.execute(sql: "UPDATE acks SET outcome = ?, delivery_id = ?, updated_at = ? WHERE id = ?",
                       arguments: [outcome.rawValue, deliveryId, now, id])
    }

    func delivery(_ id: Int64, dsp: String) throws -> DeliveryRecord? {
        try DeliveryStore.find(db, "id = ? AND dsp = ?", [id, dsp]).first
    }

    func transition(delivery id: Int64, _ event: DeliveryState.Event, now: String, changes: DeliveryChanges) throws -> DeliveryRecord {
        try DeliveryStore.apply(event, to: id, now: now, changes: changes, db)
    }

    func recordPackageEvent(_ packageId: String, _ event: PackageEvent) throws {
        try PackageStore.insertEvent(db, packageId, event)
    }
}
