import DDEXModel
import Foundation

/// Persists deliveries and moves them through `DeliveryState`, one transaction per change.
///
/// Every state change goes through `transition(_:_:)`, which applies `DeliveryState.next(after:)` to the
/// state read inside the same transaction: two workers (or a worker and a restart) can never both move
/// one delivery, and an event the state does not allow is refused.
public struct DeliveryStore: Sendable {
    public let database: SharedDatabase

    public init(database: SharedDatabase) { self.database = database }

    static let columns = """
        id, package_id, dsp, release_id, kind, state, batch_id, message_id, bundle_path, remote_folder, attempts,
        next_attempt_at, last_error_code, last_error_message, ack_status, ack_text, ack_file, ack_at, created_at, updated_at,
        ack_checked_at
        """

    /// Records a queued delivery with its files. Returns the existing one when this package was already
    /// queued for this DSP (a restart re-running the build step must not queue it twice).
    @discardableResult
    public func enqueue(_ delivery: NewDelivery, now: String) throws -> DeliveryRecord {
        try database.withDatabase { db in
            try db.transaction {
                if let existing = try Self.find(db, "package_id = ? AND dsp = ?", [.text(delivery.packageId), .text(delivery.dsp)]).first {
                    return existing
                }
                _ = try db.run("""
                    INSERT INTO deliveries (package_id, dsp, release_id, kind, state, batch_id, message_id, bundle_path,
                                            remote_folder, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, .text(delivery.packageId), .text(delivery.dsp), .text(delivery.releaseId), .text(delivery.kind.rawValue),
                    .text(DeliveryState.queued.rawValue), .text(delivery.batchId), .text(delivery.messageId),
                    .text(delivery.bundlePath), .text(delivery.remoteFolder), .text(now), .text(now))
                let id = db.lastInsertRowID
                let insert = try db.prepare("INSERT INTO delivery_files (delivery_id, seq, role, local_path, remote_path, size, placed) VALUES (?, ?, ?, ?, ?, ?, ?)")
                for file in delivery.files {
                    try insert.bind([.integer(id), .integer(file.seq), .text(file.role.rawValue), .text(file.localPath),
                                     .text(file.remotePath), .integer(Int64(file.size)), .integer(file.placed ? 1 : 0)])
                    try insert.run()
                }
                return try Self.find(db, "id = ?", [.integer(id)])[0]
            }
        }
    }

    /// Applies `event` to the delivery's current state and stores the result with `changes`.
    @discardableResult
    public func transition(_ id: Int64, _ event: DeliveryState.Event, now: String,
                           changes: DeliveryChanges = DeliveryChanges()) throws -> DeliveryRecord
    {
        try database.write { db in try Self.apply(event, to: id, now: now, changes: changes, db) }
    }

    /// The one way a delivery's state is written (deliveries and acknowledgements alike), inside the caller's
    /// transaction: `DeliveryState.next(after:)` applied to the state read in that same transaction, with the
    /// columns that go with it.
    static func apply(_ event: DeliveryState.Event, to id: Int64, now: String, changes: DeliveryChanges,
                      _ db: Database) throws -> DeliveryRecord
    {
        guard let current = try find(db, "id = ?", [.integer(id)]).first else {
            throw StoreError(.misuse, message: "no delivery \(id)")
        }
        let next = try current.state.applying(event)
        var sets = ["state = ?", "updated_at = ?"]
        var values: [SQLValue] = [.text(next.rawValue), .text(now)]
        if event == .startUpload { sets.append("attempts = attempts + 1") }
        if let v = changes.nextAttemptAt { sets.append("next_attempt_at = ?"); values.append(v.map { .real($0) } ?? .null) }
        if let v = changes.lastError {
            sets.append("last_error_code = ?"); values.append(.text(v?.code))
            sets.append("last_error_message = ?"); values.append(.text(v?.message))
        }
        if let ack = changes.ack {
            sets += ["ack_status = ?", "ack_text = ?", "ack_file = ?", "ack_at = ?"]
            values += [.text(ack.status), .text(ack.text), .text(ack.file), .text(ack.at)]
        }
        values.append(.integer(id))
        let statement = try db.prepare("UPDATE deliveries SET \(sets.joined(separator: ", ")) WHERE id = ?")
        try statement.bind(values)
        try statement.run()
        return try find(db, "id = ?", [.integer(id)])[0]
    }

    /// Marks one file as placed on the server (final name, verified size).
    public func markPlaced(delivery id: Int64, seq: Int) throws {
        try database.withDatabase { db in
            _ = try db.run("UPDATE delivery_files SET placed = 1 WHERE delivery_id = ? AND seq = ?", .integer(id), .integer(seq))
        }
    }

    public func files(of id: Int64) throws -> [DeliveryFile] {
        try database.withDatabase { db in
            let s = try db.prepare("SELECT seq, role, local_path, remote_path, size, placed FROM delivery_files WHERE delivery_id = ? ORDER BY seq")
            try s.bind([.integer(id)])
            var out: [DeliveryFile] = []
            while try s.step() {
                out.append(DeliveryFile(seq: s.int(at: 0), role: DeliveryFile.Role(rawValue: s.string(at: 1) ?? "") ?? .resource,
                                        localPath: s.string(at: 2) ?? "", remotePath: s.string(at: 3) ?? "",
                                        size: UInt64(s.int64(at: 4)), placed: s.int64(at: 5) != 0))
            }
            return out
        }
    }

    public func delivery(_ id: Int64) throws -> DeliveryRecord? {
        try database.withDatabase { db in try Self.find(db, "id = ?", [.integer(id)]).first }
    }

    public func deliveries(ofPackage packageId: String) throws -> [DeliveryRecord] {
        try database.withDatabase { db in try Self.find(db, "package_id = ? ORDER BY dsp", [.text(packageId)]) }
    }

    public func deliveries(dsp: String? = nil, states: [DeliveryState]) throws -> [DeliveryRecord] {
        let list = states.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try database.withDatabase { db in
            if let dsp {
                return try Self.find(db, "dsp = ? AND state IN (\(list)) ORDER BY id", [.text(dsp)])
            }
            return try Self.find(db, "state IN (\(list)) ORDER BY id", [])
        }
    }

    /// Deliveries whose acknowledgement folder is due to be listed at `now` (Unix seconds): completed ones younger
    /// than `deadline` seconds and acknowledged ones younger than `recentWindow` (their age counted from
    /// `updated_at`: the completion, or the last acknowledgement applied): on every pass (`pollSeconds` apart) while
    /// a tenth of its age is less than that, then once a tenth of its age has passed since it was last listed.
    /// Oldest first.
    public func dueForAckListing(dsp: String, now: Double, pollSeconds: Double, deadline: Double,
                                 recentWindow: Double) throws -> [(id: Int64, remoteFolder: String)] {
        try database.withDatabase { db in
            let s = try db.prepare("""
                SELECT id, remote_folder FROM (
                    SELECT id, remote_folder, state, ack_checked_at, ?2 - (julianday(updated_at) - 2440587.5) * 86400 AS age
                    FROM deliveries WHERE dsp = ?1 AND state IN ('completed', 'acknowledged', 'rejected-by-dsp'))
                WHERE age < CASE state WHEN 'completed' THEN ?3 ELSE ?4 END
                  AND (ack_checked_at IS NULL OR age / 10 <= ?5 OR ?2 - ack_checked_at >= age / 10)
                ORDER BY id
                """)
            try s.bind([.text(dsp), .real(now), .real(deadline), .real(recentWindow), .real(pollSeconds)])
            var out: [(Int64, String)] = []
            while try s.step() {
                guard let folder = s.string(at: 1) else { throw StoreError(.misuse, message: "delivery \(s.int64(at: 0)) has no remote folder") }
                out.append((s.int64(at: 0), folder))
            }
            return out
        }
    }

    /// Records that the acknowledgement folders of `ids` were listed at `time` (Unix seconds).
    public func markAckChecked(_ ids: [Int64], at time: Double) throws {
        guard !ids.isEmpty else { return }
        try database.write { db in
            let statement = try db.prepare("UPDATE deliveries SET ack_checked_at = ? WHERE id = ?")
            for id in ids {
                try statement.bind([.real(time), .integer(id)])
                try statement.run()
            }
        }
    }

    /// How many deliveries each DSP has in each state (one query, for the status files).
    public func counts() throws -> [String: [DeliveryState: Int]] {
        try database.withDatabase { db in
            let s = try db.prepare("SELECT dsp, state, COUNT(*) FROM deliveries GROUP BY dsp, state")
            var out: [String: [DeliveryState: Int]] = [:]
            while try s.step() {
                let dsp = s.string(at: 0) ?? "", text = s.string(at: 1) ?? ""
                guard let state = DeliveryState(rawValue: text) else {
                    throw StoreError(.decode, message: "deliveries.state holds '\(text)', which is no DeliveryState")
                }
                out[dsp, default: [:]][state] = s.int(at: 2)
            }
            return out
        }
    }

    /// Deliveries a worker may start now for `dsp`, oldest first: queued ones, and retry-wait ones whose time
    /// has come. A release is never in two open deliveries at once: a later delivery of the same release
    /// waits until every earlier one of it is past `uploaded` (completed, acknowledged, rejected or failed).
    public func due(dsp: String, now: Double, limit: Int) throws -> [DeliveryRecord] {
        try database.withDatabase { db in
            try Self.find(db, """
                state IN ('queued', 'retry-wait') AND dsp = ? AND (state = 'queued' OR next_attempt_at <= ?)
                AND NOT EXISTS (SELECT 1 FROM deliveries earlier WHERE earlier.dsp = deliveries.dsp
                                AND earlier.release_id = deliveries.release_id AND earlier.id < deliveries.id
                                AND earlier.state IN ('queued', 'uploading', 'uploaded', 'retry-wait'))
                ORDER BY id LIMIT ?
                """, [.text(dsp), .real(now), .integer(limit)])
        }
    }

    /// The delivery an acknowledgement names: by MessageId first, then by batch id, then by release id
    /// (the newest completed delivery of that release).
    public func match(dsp: String, messageId: String?, batchId: String?, releaseId: String?) throws -> DeliveryRecord? {
        try database.withDatabase { db in
            if let messageId, let d = try Self.find(db, "dsp = ? AND message_id = ?", [.text(dsp), .text(messageId)]).first { return d }
            if let batchId, let d = try Self.find(db, "dsp = ? AND batch_id = ?", [.text(dsp), .text(batchId)]).first { return d }
            if let releaseId {
                return try Self.find(db, "dsp = ? AND release_id = ? ORDER BY (state = 'completed') DESC, id DESC",
                                     [.text(dsp), .text(releaseId)]).first
            }
            return nil
        }
    }

    static func find(_ db: Database, _ condition: String, _ arguments: [SQLValue]) throws -> [DeliveryRecord] {
        let s = try db.prepare("SELECT \(columns) FROM deliveries WHERE \(condition)")
        try s.bind(arguments)
        var out: [DeliveryRecord] = []
        while try s.step() {
            guard let state = DeliveryState(rawValue: s.string(at: 5) ?? ""),
                  let kind = DeliveryRecord.Kind(rawValue: s.string(at: 4) ?? "")
            else { throw StoreError(.decode, message: "delivery \(s.int64(at: 0)) has an unknown state or kind") }
            out.append(DeliveryRecord(
                id: s.int64(at: 0), packageId: s.string(at: 1) ?? "", dsp: s.string(at: 2) ?? "", releaseId: s.string(at: 3) ?? "",
                kind: kind, state: state, batchId: s.string(at: 6) ?? "", messageId: s.string(at: 7) ?? "",
                bundlePath: s.string(at: 8) ?? "", remoteFolder: s.string(at: 9) ?? "", attempts: s.int(at: 10),
                nextAttemptAt: s.double(at: 11), lastErrorCode: s.string(at: 12), lastErrorMessage: s.string(at: 13),
                ackStatus: s.string(at: 14), ackText: s.string(at: 15), ackFile: s.string(at: 16), ackAt: s.string(at: 17),
                ackCheckedAt: s.double(at: 20), createdAt: s.string(at: 18) ?? "", updatedAt: s.string(at: 19) ?? ""))
        }
        return out
    }
}

/// Optional column changes that go with a transition (`nil` leaves a column as it is; `.some(nil)` clears it).
public struct DeliveryChanges: Sendable {
    public var nextAttemptAt: Double??
    public var lastError: (code: String, message: String)??
    public var ack: (status: String, text: String?, file: String, at: String)?

    public init(nextAttemptAt: Double?? = nil, lastError: (code: String, message: String)?? = nil,
                ack: (status: String, text: String?, file: String, at: String)? = nil)
    {
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.ack = ack
    }
}
