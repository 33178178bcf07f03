import DDEXModel
import Store

/// `AcknowledgementRows` in PostgreSQL, inside the `SERIALIZABLE` transaction of `session`.
struct PostgresAcknowledgementRows: AcknowledgementRows {
    let session: PostgresSession

    func ack(dsp: String, remotePath: String, sha256: String) throws -> AckFileRecord? {
        try PostgresAcknowledgementStore.find(session, "dsp = $1 AND remote_path = $2 AND sha256 = $3", [dsp, remotePath, sha256]).first
    }

    func readableAck(dsp: String, sha256: String) throws -> AckFileRecord? {
        try PostgresAcknowledgementStore.find(session, "dsp = $1 AND sha256 = $2 AND outcome <> 'invalid' ORDER BY id LIMIT 1",
                                              [dsp, sha256]).first
    }

    func ack(id: Int64) throws -> AckFileRecord? {
        try PostgresAcknowledgementStore.find(session, "id = $1", [id]).first
    }

    func touchAck(id: Int64, remoteModified: Double?, now: String) throws {
        try session.execute("UPDATE acks SET remote_mtime = $1, updated_at = $2 WHERE id = $3", [remoteModified, now, id])
    }

    func insertAck(_ file: NewAckFile, first: AckEntryInput?, outcome: AckOutcome, text: String?, now: String) throws -> Int64 {
        let inserted = try session.query("""
            INSERT INTO acks (dsp, remote_path, sha256, size, generation, message_id, release_id, batch_id, status, text,
                              outcome, archived_path, received_at, remote_mtime, error_code, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id
            """, [file.dsp, file.remotePath, file.sha256, Int64(file.size), file.generation, first?.messageId,
                  first?.releaseIds.first, first?.batchId, first?.status, text, outcome.rawValue,
                  file.archivedPath, now, file.remoteModified, file.error?.code, now])
        guard let id = try inserted.first?.first(Int64.self) else {
            throw StoreError(.step, message: "inserting the acknowledgement \(file.remotePath) of \(file.dsp) returned no id")
        }
        return id
    }

    func insertEntries(ackId: Int64, _ entries: [AckEntryInput]) throws {
        for (seq, entry) in entries.enumerated() {
            try session.execute("""
                INSERT INTO ack_entries (ack_id, seq, message_id, batch_id, release_ids, status, release_status, text, outcome)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'unmatched')
                """, [ackId, Int64(seq), entry.messageId, entry.batchId, entry.releaseIds.joined(separator: " "),
                      entry.status, entry.releaseStatus, entry.text])
        }
    }

    func unmatchedEntries(ackId: Int64) throws -> Set<Int> {
        Set(try session.query("SELECT seq FROM ack_entries WHERE ack_id = $1 AND outcome = 'unmatched'", [ackId])
            .map { row in try row.int("seq", in: "ack_entries") })
    }

    func updateEntry(ackId: Int64, seq: Int, outcome: AckEntryOutcome, deliveryId: Int64?, note: String?) throws {
        try session.execute("UPDATE ack_entries SET outcome = $1, delivery_id = $2, note = $3 WHERE ack_id = $4 AND seq = $5",
                            [outcome.rawValue, deliveryId, note, ackId, Int64(seq)])
    }

    func firstEntryDelivery(ackId: Int64) throws -> Int64? {
        try session.query("""
            SELECT delivery_id FROM ack_entries WHERE ack_id = $1 AND delivery_id IS NOT NULL ORDER BY seq LIMIT 1
            """, [ackId]).first?.first(Int64.self)
    }

    func finishAck(id: Int64, outcome: AckOutcome, deliveryId: Int64?, now: String) throws {
        try session.execute("UPDATE acks SET outcome = $1, delivery_id = $2, updated_at = $3 WHERE id = $4",
                            [outcome.rawValue, deliveryId, now, id])
    }

    func delivery(_ id: Int64, dsp: String) throws -> DeliveryRecord? {
        try PostgresDeliveryStore.find(session, "id = $1 AND dsp = $2", [id, dsp]).first
    }

    func transition(delivery id: Int64, _ event: DeliveryState.Event, now: String, changes: DeliveryChanges) throws -> DeliveryRecord {
        try PostgresDeliveryStore.apply(event, to: id, now: now, changes: changes, session)
    }

    func recordPackageEvent(_ packageId: String, _ event: PackageEvent) throws {
        try PostgresPackageStore.insertEvent(session, packageId, event)
    }
}
