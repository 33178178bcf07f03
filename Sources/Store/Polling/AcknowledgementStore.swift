import DDEXModel
import Foundation

/// Records processed acknowledgement files and applies them to deliveries, so that an acknowledgement
/// is applied exactly once, even across a crash (TRANSFER.md §3 item 6).
///
/// The row in `acks`, its entries, the delivery transitions and the package timeline events are written
/// in ONE transaction: either all of it is stored or none of it, and a file already stored under the
/// same (DSP, remote path, SHA-256) is never applied again.
public struct AcknowledgementStore: Sendable {
    public let database: SharedDatabase

    public init(database: SharedDatabase) { self.database = database }

    /// True when a file at `remotePath` with this size (and modification time, when both sides know it)
    /// was processed before, so it need not be downloaded again.
    public func isKnown(dsp: String, remotePath: String, size: UInt64, modified: Double?) throws -> Bool {
        try database.withDatabase { db in
            let s = try db.prepare("SELECT remote_mtime FROM acks WHERE dsp = ? AND remote_path = ? AND size = ?")
            try s.bind([.text(dsp), .text(remotePath), .integer(Int64(size))])
            while try s.step() {
                guard let known = s.double(at: 0), let modified else { return true }
                if known == modified { return true }
            }
            return false
        }
    }

    /// Records `file` and applies its entries, all in one transaction.
    ///
    /// - A file with an `error` is stored as `invalid`; nothing is applied.
    /// - Content already processed from another path of the DSP is stored as `duplicate`; nothing is applied.
    /// - Otherwise each entry with a delivery in `completed`, `acknowledged` or `rejected-by-dsp` moves it
    ///   (`ack-accepted` / `ack-rejected`) unless the delivery carries an acknowledgement created later;
    ///   entries without a (completed) delivery make the file `unmatched`.
    public func record(_ file: NewAckFile, entries: [AckEntryInput], now: String) throws -> AckRecordResult {
        try database.withDatabase { db in
            try db.transaction {
                if let existing = try Self.find(db, "dsp = ? AND remote_path = ? AND sha256 = ?",
                                                [.text(file.dsp), .text(file.remotePath), .text(file.sha256)]).first {
                    // Seen before (its modification time changed, or a crashed pass downloaded it again).
                    _ = try db.run("UPDATE acks SET remote_mtime = ?, updated_at = ? WHERE id = ?",
                                   file.remoteModified.map { .real($0) } ?? .null, .text(now), .integer(existing.id))
                    return .known(existing)
                }
                let first = entries.first
                let duplicate = file.error == nil && !file.sha256.isEmpty
                    ? try Self.find(db, "dsp = ? AND sha256 = ? AND outcome <> 'invalid'", [.text(file.dsp), .text(file.sha256)]).first
                    : nil
                let initial: AckOutcome = file.error != nil ? .invalid : duplicate != nil ? .duplicate : .unmatched
                _ = try db.run("""
                    INSERT INTO acks (dsp, remote_path, sha256, size, generation, message_id, release_id, batch_id, status, text,
                                      outcome, archived_path, received_at, remote_mtime, error_code, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, .text(file.dsp), .text(file.remotePath), .text(file.sha256), .integer(Int64(file.size)),
                    .text(file.generation), .text(first?.messageId), .text(first?.releaseIds.first), .text(first?.batchId),
                    .text(first?.status), .text(file.error?.message ?? duplicate.map { "same content as \($0.remotePath)" } ?? first?.text),
                    .text(initial.rawValue), .text(file.archivedPath), .text(now),
                    file.remoteModified.map { .real($0) } ?? .null, .text(file.error?.code), .text(now))
                let id = db.lastInsertRowID
                var results: [AckEntryResult] = []
                if initial == .unmatched {
                    let insert = try db.prepare("""
                        INSERT INTO ack_entries (ack_id, seq, message_id, batch_id, release_ids, status, release_status, text, outcome)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'unmatched')
                        """)
                    for (seq, entry) in entries.enumerated() {
                        try insert.bind([.integer(id), .integer(seq), .text(entry.messageId), .text(entry.batchId),
                                         .text(entry.releaseIds.joined(separator: " ")), .text(entry.status),
                                         .text(entry.releaseStatus), .text(entry.text)])
                        try insert.run()
                        insert.reset()
                    }
                    results = try Self.apply(db, ackId: id, file: file.remotePath, dsp: file.dsp, createdAt: file.createdAt,
                                             entries: Array(entries.enumerated()), now: now)
                }
                return .recorded(try Self.find(db, "id = ?", [.integer(id)])[0], results)
            }
        }
    }

    /// Applies entries of an `unmatched` file again, now that more deliveries may exist. `entries` are
    /// the file's entries re-read from its archived copy (same order as when it was recorded), with
    /// their matches made now; only entries still `unmatched` are tried.
    public func retry(ackId: Int64, entries: [AckEntryInput], createdAt: String?, now: String) throws -> (AckFileRecord, [AckEntryResult]) {
        try database.withDatabase { db in
            try db.transaction {
                guard let file = try Self.find(db, "id = ?", [.integer(ackId)]).first else {
                    throw StoreError(.misuse, message: "no acknowledgement \(ackId)")
                }
                guard file.outcome == .unmatched else { return (file, []) }
                let s = try db.prepare("SELECT seq FROM ack_entries WHERE ack_id = ? AND outcome = 'unmatched' ORDER BY seq")
                try s.bind([.integer(ackId)])
                var open = Set<Int>()
                while try s.step() { open.insert(s.int(at: 0)) }
                let pending = entries.enumerated().filter { open.contains($0.offset) }
                let results = try Self.apply(db, ackId: ackId, file: file.remotePath, dsp: file.dsp, createdAt: createdAt,
                                             entries: pending, now: now)
                return (try Self.find(db, "id = ?", [.integer(ackId)])[0], results)
            }
        }
    }

    /// Files of `dsp` still waiting for a delivery, oldest first.
    public func unmatched(dsp: String) throws -> [AckFileRecord] {
        try database.withDatabase { db in try Self.find(db, "dsp = ? AND outcome = 'unmatched' ORDER BY id", [.text(dsp)]) }
    }

    public func acks(dsp: String? = nil) throws -> [AckFileRecord] {
        try database.withDatabase { db in
            if let dsp { return try Self.find(db, "dsp = ? ORDER BY id", [.text(dsp)]) }
            return try Self.find(db, "1 ORDER BY id", [])
        }
    }

    /// The stored entries of an acknowledgement file: (seq, outcome, delivery id, note).
    public func entries(ackId: Int64) throws -> [(seq: Int, outcome: AckEntryOutcome, deliveryId: Int64?, note: String?)] {
        try database.withDatabase { db in
            let s = try db.prepare("SELECT seq, outcome, delivery_id, note FROM ack_entries WHERE ack_id = ? ORDER BY seq")
            try s.bind([.integer(ackId)])
            var out: [(seq: Int, outcome: AckEntryOutcome, deliveryId: Int64?, note: String?)] = []
            while try s.step() {
                out.append((s.int(at: 0), AckEntryOutcome(rawValue: s.string(at: 1) ?? "") ?? .unmatched,
                            s.optionalInt64(at: 2), s.string(at: 3)))
            }
            return out
        }
    }

    // MARK: Applying (inside the caller's transaction)

    /// States in which an acknowledgement may be applied: the choreography's completion step is done.
    static let acknowledgeable: Set<DeliveryState> = [.completed, .acknowledged, .rejectedByDSP]

    private static func apply(_ db: Database, ackId: Int64, file: String, dsp: String, createdAt: String?,
                              entries: [(offset: Int, element: AckEntryInput)], now: String) throws -> [AckEntryResult]
    {
        let ackAt = createdAt.flatMap(Timestamp.parse).map(Timestamp.format) ?? now
        var results: [AckEntryResult] = []
        for (seq, entry) in entries {
            var result = AckEntryResult(seq: seq, outcome: .unmatched, deliveryId: entry.deliveryId, state: nil, note: nil)
            if let id = entry.deliveryId, let delivery = try DeliveryStore.find(db, "id = ? AND dsp = ?", [.integer(id), .text(dsp)]).first {
                if !acknowledgeable.contains(delivery.state) {
                    result.note = "delivery \(id) is \(delivery.state.rawValue), not completed"
                } else if let previous = delivery.ackAt.flatMap(Timestamp.parse), let this = Timestamp.parse(ackAt), this < previous {
                    result.outcome = .stale
                    result.state = delivery.state
                    result.note = "delivery \(id) carries an acknowledgement created later (\(delivery.ackAt ?? ""))"
                } else {
                    let event: DeliveryState.Event = entry.isSuccess ? .ackAccepted : .ackRejected
                    let next = try DeliveryStore.apply(event, to: id, now: now, changes: DeliveryChanges(
                        ack: (status: entry.status, text: entry.text, file: file, at: ackAt)), db).state
                    _ = try db.run("INSERT INTO package_events (package_id, at, event, dsp, detail) VALUES (?, ?, ?, ?, ?)",
                                   .text(delivery.packageId), .text(now), .text(next.rawValue), .text(dsp),
                                   .text("\(entry.status)\(entry.text.map { ": \($0)" } ?? "") (\(file))"))
                    result.outcome = .applied
                    result.state = next
                }
            } else if entry.deliveryId != nil {
                result.deliveryId = nil
                result.note = "no delivery \(entry.deliveryId ?? 0) for \(dsp)"
            }
            _ = try db.run("UPDATE ack_entries SET outcome = ?, delivery_id = ?, note = ? WHERE ack_id = ? AND seq = ?",
                           .text(result.outcome.rawValue), .integer(result.outcome == .unmatched ? nil : result.deliveryId),
                           .text(result.note), .integer(ackId), .integer(seq))
            results.append(result)
        }
        // The file is unmatched while any of its entries is.
        let open = try db.scalarInt("SELECT count(*) FROM ack_entries WHERE ack_id = ? AND outcome = 'unmatched'", .integer(ackId)) ?? 0
        let firstDelivery = try db.scalarInt("SELECT delivery_id FROM ack_entries WHERE ack_id = ? AND delivery_id IS NOT NULL ORDER BY seq LIMIT 1",
                                             .integer(ackId))
        _ = try db.run("UPDATE acks SET outcome = ?, delivery_id = ?, updated_at = ? WHERE id = ?",
                       .text((open > 0 ? AckOutcome.unmatched : .applied).rawValue), .integer(firstDelivery), .text(now), .integer(ackId))
        return results
    }

    static func find(_ db: Database, _ condition: String, _ arguments: [SQLValue]) throws -> [AckFileRecord] {
        let s = try db.prepare("""
            SELECT id, dsp, remote_path, sha256, size, remote_mtime, generation, outcome, archived_path, error_code, text, received_at
            FROM acks WHERE \(condition)
            """)
        try s.bind(arguments)
        var out: [AckFileRecord] = []
        while try s.step() {
            guard let outcome = AckOutcome(rawValue: s.string(at: 7) ?? "") else {
                throw StoreError(.decode, message: "acknowledgement \(s.int64(at: 0)) has an unknown outcome")
            }
            out.append(AckFileRecord(id: s.int64(at: 0), dsp: s.string(at: 1) ?? "", remotePath: s.string(at: 2) ?? "",
                                     sha256: s.string(at: 3) ?? "", size: UInt64(max(0, s.int64(at: 4))), remoteModified: s.double(at: 5),
                                     generation: s.string(at: 6), outcome: outcome, archivedPath: s.string(at: 8),
                                     errorCode: s.string(at: 9), text: s.string(at: 10), receivedAt: s.string(at: 11) ?? ""))
        }
        return out
    }
}
