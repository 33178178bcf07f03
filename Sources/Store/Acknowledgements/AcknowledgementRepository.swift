/// The acknowledgements subsystem's tables (`acks`, `ack_entries`): every acknowledgement file processed, what each
/// of its entries did, and the deliveries they moved, so that an acknowledgement is applied exactly once, even
/// across a crash. `AcknowledgementStore` implements it on the SQLite store; another engine (PostgreSQL) can
/// implement the same protocol.
///
/// Errors: a requirement throws `StoreError` when the store fails (`STORE_BUSY`, `STORE_DECODE`, …); a lookup of an
/// unknown id returns nil or an empty list, a state change of one throws `STORE_MISUSE`, and an event its state does
/// not allow throws `InvalidTransition`. Thread-safety: implementations are `Sendable` and may be called from any
/// thread (blocking: not on the cooperative pool); writes run one at a time on the store's one writer, reads on a
/// committed snapshot.
public protocol AcknowledgementRepository: Sendable {
    /// True when a file at `remotePath` with this size (and modification time, when both sides know it) was processed
    /// before, so it need not be downloaded again.
    func isKnown(dsp: String, remotePath: String, size: UInt64, modified: Double?) throws -> Bool

    /// Records `file` and applies its entries to their deliveries (through the deliveries' one state method), all in
    /// one transaction with the package timeline entries.
    ///
    /// - A file with an `error` is stored as `invalid`; nothing is applied.
    /// - Content already processed from another path of the DSP is stored as `duplicate`; nothing is applied.
    /// - Otherwise each entry with a delivery in `completed`, `acknowledged` or `rejected-by-dsp` moves it
    ///   (`ack-accepted` / `ack-rejected`) unless the delivery carries an acknowledgement created later; entries
    ///   without a (completed) delivery make the file `unmatched`.
    func record(_ file: NewAckFile, entries: [AckEntryInput], now: String) throws -> AckRecordResult

    /// Applies the still `unmatched` entries of an `unmatched` file again, now that more deliveries may exist.
    /// `entries` are the file's entries re-read from its archived copy (in the order they were recorded), with their
    /// matches made now.
    func retry(ackId: Int64, entries: [AckEntryInput], createdAt: String?, now: String) throws -> (AckFileRecord, [AckEntryResult])

    /// Files of `dsp` still waiting for a delivery, oldest first.
    func unmatched(dsp: String) throws -> [AckFileRecord]

    /// Every processed file (of one DSP, or of all), oldest first.
    func acks(dsp: String?) throws -> [AckFileRecord]

    /// The stored entries of an acknowledgement file.
    func entries(ackId: Int64) throws -> [AckEntryRecord]
}

extension AcknowledgementRepository {
    /// Every processed file of every DSP, oldest first.
    public func acks() throws -> [AckFileRecord] { try acks(dsp: nil) }
}
