import DDEXModel
import GRDB

/// `AcknowledgementRepository` on the SQLite store.
///
/// The row in `acks`, its entries, the delivery transitions and the package timeline events are written in ONE
/// transaction: either all of it is stored or none of it, and a file already stored under the same (DSP, remote
/// path, SHA-256) is never applied again (TRANSFER.md §3 item 6). What is written is `AcknowledgementProcedure`'s,
/// shared with the PostgreSQL engine; this type only spells the rows in SQLite (`SQLiteAcknowledgementRows`).
public struct AcknowledgementStore: AcknowledgementRepository {
    public let database: StoreDatabase

    public init(database: StoreDatabase) { self.database = database }

    public func isKnown(dsp: String, remotePath: String, size: UInt64, modified: Double?) throws -> Bool {
        try database.read { db in
            let known = try Row.fetchAll(db, sql: "SELECT remote_mtime FROM acks WHERE dsp = ? AND remote_path = ? AND size = ?",
                                         arguments: [dsp, remotePath, Int64(size)])
            return try known.contains { row in
                AcknowledgementProcedure.isSameFile(storedModified: try row.optionalDouble("remote_mtime", in: "acks"), modified: modified)
            }
        }
    }

    public func record(_ file: NewAckFile, entries: [AckEntryInput], now: String) throws -> AckRecordResult {
        try database.write { db in
            try AcknowledgementProcedure.record(file, entries: entries, now: now, in: SQLiteAcknowledgementRows(db: db))
        }
    }

    public func retry(ackId: Int64, entries: [AckEntryInput], createdAt: String?, now: String) throws -> (AckFileRecord, [AckEntryResult]) {
        try database.write { db in
            try AcknowledgementProcedure.retry(ackId: ackId, entries: entries, createdAt: createdAt, now: now,
                                               in: SQLiteAcknowledgementRows(db: db))
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

    static func find(_ db: GRDB.Database, _ condition: String, _ arguments: StatementArguments) throws -> [AckFileRecord] {
        try AckFileRecord.fetchAll(db, sql: "SELECT * FROM acks WHERE \(condition)", arguments: arguments)
    }
}
