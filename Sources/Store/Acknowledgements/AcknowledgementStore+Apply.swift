import DDEXModel
import GRDB

extension AcknowledgementStore {
    /// States in which an acknowledgement may be applied: the choreography's completion step is done.
    static let acknowledgeable: Set<DeliveryState> = [.completed, .acknowledged, .rejectedByDSP]

    /// Applies `entries` of acknowledgement `ackId` inside the caller's transaction: each moves its delivery through
    /// `DeliveryStore.apply` (the deliveries' one state method) unless the delivery is not completed yet or carries
    /// an acknowledgement created later; then the file is `unmatched` while any of its entries is.
    static func apply(_ db: GRDB.Database, ackId: Int64, file: String, dsp: String, createdAt: String?,
                      entries: [(offset: Int, element: AckEntryInput)], now: String) throws -> [AckEntryResult]
    {
        let ackAt = createdAt.flatMap(Timestamp.parse).map(Timestamp.format) ?? now
        var results: [AckEntryResult] = []
        for (seq, entry) in entries {
            let result = try applyEntry(db, seq: seq, entry, file: file, dsp: dsp, ackAt: ackAt, now: now)
            try db.execute(sql: "UPDATE ack_entries SET outcome = ?, delivery_id = ?, note = ? WHERE ack_id = ? AND seq = ?",
                           arguments: [result.outcome.rawValue, result.outcome == .unmatched ? nil : result.deliveryId,
                                       result.note, ackId, seq])
            results.append(result)
        }
        let open = try Int.fetchOne(db, sql: "SELECT count(*) FROM ack_entries WHERE ack_id = ? AND outcome = 'unmatched'",
                                    arguments: [ackId]) ?? 0
        let firstDelivery = try Int64.fetchOne(db, sql: """
            SELECT delivery_id FROM ack_entries WHERE ack_id = ? AND delivery_id IS NOT NULL ORDER BY seq LIMIT 1
            """, arguments: [ackId])
        try db.execute(sql: "UPDATE acks SET outcome = ?, delivery_id = ?, updated_at = ? WHERE id = ?",
                       arguments: [(open > 0 ? AckOutcome.unmatched : .applied).rawValue, firstDelivery, now, ackId])
        return results
    }

    /// What one entry does to its delivery.
    private static func applyEntry(_ db: GRDB.Database, seq: Int, _ entry: AckEntryInput, file: String, dsp: String,
                                   ackAt: String, now: String) throws -> AckEntryResult
    {
        var result = AckEntryResult(seq: seq, outcome: .unmatched, deliveryId: entry.deliveryId, state: nil, note: nil)
        guard let id = entry.deliveryId else { return result }
        guard let delivery = try DeliveryStore.find(db, "id = ? AND dsp = ?", [id, dsp]).first else {
            result.deliveryId = nil
            result.note = "no delivery \(id) for \(dsp)"
            return result
        }
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
            try PackageStore.insertEvent(db, delivery.packageId, PackageEvent(
                at: now, event: next.rawValue, dsp: dsp, detail: "\(entry.status)\(entry.text.map { ": \($0)" } ?? "") (\(file))"))
            result.outcome = .applied
            result.state = next
        }
        return result
    }
}
