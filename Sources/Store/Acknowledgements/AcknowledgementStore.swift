import DDEXModel
import GRDB

/// `AcknowledgementRepository` on the SQLite store.
///
/// The row in `acks`, its entries, the delivery transitions and the package timeline events are written in ONE
/// transaction: either all of it is stored or none of it, and a file already stored under the same (DSP, remote
/// path, SHA-256) is never applied again (TRANSFER.md §3 item 6).
public struct AcknowledgementStore: AcknowledgementRepository {
    public let database: StoreDatabase

    public init(database: StoreDatabase) { self.database = database }

    public func isKnown(dsp: String, remotePath: String, size: UInt64, modified: Double?) throws -> Bool {
        try database.read { db in
            let known = try Row.fetchAll(db, sql: "SELECT remote_mtime FROM acks WHERE dsp = ? AND remote_path = ? AND size = ?",
                                         arguments: [dsp, remotePath, Int64(size)])
            return try known.contains { row in
                guard let stored: Double = try row.optionalValue("remote_mtime", in: "acks"), let modified else { return true }
                return stored == modified
            }
        }
    }

    public func record(_ file: NewAckFile, entries: [AckEntryInput], now: String) throws -> AckRecordResult {
        try database.write { db in
            if let existing = try Self.find(db, "dsp = ? AND remote_path = ? AND sha256 = ?", [file.dsp, file.remotePath, file.sha256]).first {
                // Seen before (its modification time changed, or a crashed pass downloaded it again).
                try db.execute(sql: "UPDATE acks SET remote_mtime = ?, updated_at = ? WHERE id = ?",
                               arguments: [file.remoteModified, now, existing.id])
                return .known(existing)
            }
            let duplicate = file.error == nil && !file.sha256.isEmpty
                ? try Self.find(db, "dsp = ? AND sha256 = ? AND outcome <> 'invalid'", [file.dsp, file.sha256]).first
                : nil
            let outcome: AckOutcome = file.error != nil ? .invalid : duplicate != nil ? .duplicate : .unmatched
            let text = file.error?.message ?? duplicate.map { "same content as \($0.remotePath)" } ?? entries.first?.text
            let id = try Self.insertFile(db, file, first: entries.first, outcome: outcome, text: text, now: now)
            var results: [AckEntryResult] = []
            if outcome == .unmatched {
                try Self.insertEntries(db, ackId: id, entries)
                results = try Self.apply(db, ackId: id, file: file.remotePath, dsp: file.dsp, createdAt: file.createdAt,
                                         entries: Array(entries.enumerated()), now: now)
            }
            return .recorded(try Self.get(db, id), results)
        }
    }

    public func retry(ackId: Int64, entries: [AckEntryInput], createdAt: String?, now: String) throws -> (AckFileRecord, [AckEntryResult]) {
        try database.write { db in
            let file = try Self.get(db, ackId)
            guard file.outcome == .unmatched else { return (file, []) }
            let open = Set(try Int.fetchAll(db, sql: "SELECT seq FROM ack_entries WHERE ack_id = ? AND outcome = 'unmatched'",
                                            arguments: [ackId]))
            let pending = entries.enumerated().filter { open.contains($0.offset) }
            let results = try Self.apply(db, ackId: ackId, file: file.remotePath, dsp: file.dsp, createdAt: createdAt,
                                         entries: pending, now: now)
            return (try Self.get(db, ackId), results)
        }
    }

    public func unmatched(dsp: String) throws -> [AckFileRecord] {
        try database.read { db in try Self.find(db, "dsp = ? AND outcome = 'unmatched' ORDER BY id", [dsp]) }
    }

    public func acks(dsp: String?) throws -> [AckFileRecord] {
        try database.read { db in
            if let dsp { return try Self.find(db, "dsp = ? ORDER BY id", [dsp]) }
            return try Self.find(db, "1 ORDER BY id", [])
        }
    }

    public func entries(ackId: Int64) throws -> [AckEntryRecord] {
        try database.read { db in
            try AckEntryRecord.fetchAll(db, sql: "SELECT * FROM ack_entries WHERE ack_id = ? ORDER BY seq", arguments: [ackId])
        }
    }

    // MARK: Rows

    private static func insertFile(_ db: GRDB.Database, _ file: NewAckFile, first: AckEntryInput?, outcome: AckOutcome,
                                   text: String?, now: String) throws -> Int64
    {
        try db.execute(sql: """
            INSERT INTO acks (dsp, remote_path, sha256, size, generation, message_id, release_id, batch_id, status, text,
                              outcome, archived_path, received_at, remote_mtime, error_code, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [file.dsp, file.remotePath, file.sha256, Int64(file.size), file.generation, first?.messageId,
                             first?.releaseIds.first, first?.batchId, first?.status, text, outcome.rawValue,
                             file.archivedPath, now, file.remoteModified, file.error?.code, now])
        return db.lastInsertedRowID
    }

    private static func insertEntries(_ db: GRDB.Database, ackId: Int64, _ entries: [AckEntryInput]) throws {
        let insert = try db.makeStatement(sql: """
            INSERT INTO ack_entries (ack_id, seq, message_id, batch_id, release_ids, status, release_status, text, outcome)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'unmatched')
            """)
        for (seq, entry) in entries.enumerated() {
            try insert.execute(arguments: [ackId, seq, entry.messageId, entry.batchId, entry.releaseIds.joined(separator: " "),
                                           entry.status, entry.releaseStatus, entry.text])
        }
    }

    static func find(_ db: GRDB.Database, _ condition: String, _ arguments: StatementArguments) throws -> [AckFileRecord] {
        try AckFileRecord.fetchAll(db, sql: "SELECT * FROM acks WHERE \(condition)", arguments: arguments)
    }

    static func get(_ db: GRDB.Database, _ id: Int64) throws -> AckFileRecord {
        guard let file = try find(db, "id = ?", [id]).first else { throw StoreError(.misuse, message: "no acknowledgement \(id)") }
        return file
    }
}
