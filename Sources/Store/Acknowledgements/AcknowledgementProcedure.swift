import DDEXModel

/// What recording or retrying an acknowledgement does, decided once for every engine over its `AcknowledgementRows`
/// (run inside one write transaction, so the file, its entries, the delivery transitions and the package timeline
/// are stored together or not at all).
package enum AcknowledgementProcedure {
    /// States in which an acknowledgement may be applied: the choreography's completion step is done.
    static let acknowledgeable: Set<DeliveryState> = [.completed, .acknowledged, .rejectedByDSP]

    /// `AcknowledgementRepository.isKnown`'s rule for one stored file of the same DSP, path and size: the same file
    /// unless both sides know a modification time and they differ.
    package static func isSameFile(storedModified: Double?, modified: Double?) -> Bool {
        guard let storedModified, let modified else { return true }
        return storedModified == modified
    }

    /// `AcknowledgementRepository.record`.
    package static func record(_ file: NewAckFile, entries: [AckEntryInput], now: String,
                               in rows: some AcknowledgementRows) throws -> AckRecordResult
    {
        if let existing = try rows.ack(dsp: file.dsp, remotePath: file.remotePath, sha256: file.sha256) {
            // Seen before (its modification time changed, or a crashed pass downloaded it again).
            try rows.touchAck(id: existing.id, remoteModified: file.remoteModified, now: now)
            return .known(existing)
        }
        let duplicate = file.error == nil && !file.sha256.isEmpty ? try rows.readableAck(dsp: file.dsp, sha256: file.sha256) : nil
        let outcome: AckOutcome = file.error != nil ? .invalid : duplicate != nil ? .duplicate : .unmatched
        let text = file.error?.message ?? duplicate.map { "same content as \($0.remotePath)" } ?? entries.first?.text
        let id = try rows.insertAck(file, first: entries.first, outcome: outcome, text: text, now: now)
        var results: [AckEntryResult] = []
        if outcome == .unmatched {
            try rows.insertEntries(ackId: id, entries)
            results = try apply(Array(entries.enumerated()), ackId: id, file: file.remotePath, dsp: file.dsp,
                                createdAt: file.createdAt, now: now, in: rows)
        }
        return .recorded(try ack(id, in: rows), results)
    }

    /// `AcknowledgementRepository.retry`.
    package static func retry(ackId: Int64, entries: [AckEntryInput], createdAt: String?, now: String,
                              in rows: some AcknowledgementRows) throws -> (AckFileRecord, [AckEntryResult])
    {
        let file = try ack(ackId, in: rows)
        guard file.outcome == .unmatched else { return (file, []) }
        let open = try rows.unmatchedEntries(ackId: ackId)
        let pending = entries.enumerated().filter { open.contains($0.offset) }
        let results = try apply(pending, ackId: ackId, file: file.remotePath, dsp: file.dsp, createdAt: createdAt, now: now, in: rows)
        return (try ack(ackId, in: rows), results)
    }

    /// Applies `entries` of acknowledgement `ackId`: each moves its delivery unless the delivery is not completed yet
    /// or carries an acknowledgement created later; then the file is `unmatched` while any of its entries is.
    private static func apply(_ entries: [(offset: Int, element: AckEntryInput)], ackId: Int64, file: String, dsp: String,
                              createdAt: String?, now: String, in rows: some AcknowledgementRows) throws -> [AckEntryResult]
    {
        let ackAt = createdAt.flatMap(Timestamp.parse).map(Timestamp.format) ?? now
        var results: [AckEntryResult] = []
        for (seq, entry) in entries {
            let result = try applyEntry(seq: seq, entry, file: file, dsp: dsp, ackAt: ackAt, now: now, in: rows)
            try rows.updateEntry(ackId: ackId, seq: seq, outcome: result.outcome,
                                 deliveryId: result.outcome == .unmatched ? nil : result.deliveryId, note: result.note)
            results.append(result)
        }
        let open = try rows.unmatchedEntries(ackId: ackId)
        try rows.finishAck(id: ackId, outcome: open.isEmpty ? .applied : .unmatched,
                           deliveryId: try rows.firstEntryDelivery(ackId: ackId), now: now)
        return results
    }

    /// What one entry does to its delivery.
    private static func applyEntry(seq: Int, _ entry: AckEntryInput, file: String, dsp: String, ackAt: String, now: String,
                                   in rows: some AcknowledgementRows) throws -> AckEntryResult
    {
        var result = AckEntryResult(seq: seq, outcome: .unmatched, deliveryId: entry.deliveryId, state: nil, note: nil)
        guard let id = entry.deliveryId else { return result }
        guard let delivery = try rows.delivery(id, dsp: dsp) else {
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
            let next = try rows.transition(delivery: id, event, now: now, changes: DeliveryChanges(
                ack: (status: entry.status, text: entry.text, file: file, at: ackAt))).state
            try rows.recordPackageEvent(delivery.packageId, PackageEvent(
                at: now, event: next.rawValue, dsp: dsp, detail: "\(entry.status)\(entry.text.map { ": \($0)" } ?? "") (\(file))"))
            result.outcome = .applied
            result.state = next
        }
        return result
    }

    private static func ack(_ id: Int64, in rows: some AcknowledgementRows) throws -> AckFileRecord {
        guard let file = try rows.ack(id: id) else { throw StoreError(.misuse, message: "no acknowledgement \(id)") }
        return file
    }
}
