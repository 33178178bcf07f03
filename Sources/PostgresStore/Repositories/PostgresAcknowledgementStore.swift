import DDEXModel
import PostgresNIO
import Store

/// `AcknowledgementRepository` on PostgreSQL, with `AcknowledgementStore`'s contract: the file, its entries, the
/// delivery transitions and the package timeline are written by `AcknowledgementProcedure` in ONE `SERIALIZABLE`
/// transaction, so of two instances that download the same acknowledgement only one applies it (the other's
/// transaction runs again and finds the file known).
public struct PostgresAcknowledgementStore: AcknowledgementRepository {
    public let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    public func isKnown(dsp: String, remotePath: String, size: UInt64, modified: Double?) throws -> Bool {
        try database.read { session in
            let known = try session.query("SELECT remote_mtime FROM acks WHERE dsp = $1 AND remote_path = $2 AND size = $3",
                                          [dsp, remotePath, Int64(size)])
            return try known.contains { row in
                AcknowledgementProcedure.isSameFile(storedModified: try row.optionalDouble("remote_mtime", in: "acks"), modified: modified)
            }
        }
    }

    public func record(_ file: NewAckFile, entries: [AckEntryInput], now: String) throws -> AckRecordResult {
        try database.write { session in
            try AcknowledgementProcedure.record(file, entries: entries, now: now, in: PostgresAcknowledgementRows(session: session))
        }
    }

    public func retry(ackId: Int64, entries: [AckEntryInput], createdAt: String?, now: String) throws -> (AckFileRecord, [AckEntryResult]) {
        try database.write { session in
            try AcknowledgementProcedure.retry(ackId: ackId, entries: entries, createdAt: createdAt, now: now,
                                               in: PostgresAcknowledgementRows(session: session))
        }
    }

    public func unmatched(dsp: String) throws -> [AckFileRecord] {
        try database.read { session in try Self.find(session, "dsp = $1 AND outcome = 'unmatched' ORDER BY id", [dsp]) }
    }

    public func acks(dsp: String?) throws -> [AckFileRecord] {
        try database.read { session in
            if let dsp { return try Self.find(session, "dsp = $1 ORDER BY id", [dsp]) }
            return try Self.find(session, "true ORDER BY id", [])
        }
    }

    public func entries(ackId: Int64) throws -> [AckEntryRecord] {
        try database.read { session in
            try session.query("SELECT * FROM ack_entries WHERE ack_id = $1 ORDER BY seq", [ackId]).map(AckEntryRecord.init(row:))
        }
    }

    static func find(_ session: PostgresSession, _ condition: String,
                     _ arguments: [(any PostgresDynamicTypeEncodable)?]) throws -> [AckFileRecord]
    {
        try session.query("SELECT * FROM acks WHERE \(condition)", arguments).map(AckFileRecord.init(row:))
    }
}
