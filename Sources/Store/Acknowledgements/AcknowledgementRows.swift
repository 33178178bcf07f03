import DDEXModel

/// The row operations that processing an acknowledgement is made of, inside one write transaction of one engine.
/// Each engine spells them in its SQL; `AcknowledgementProcedure` decides what to do with them, once for both.
package protocol AcknowledgementRows {
    /// The file stored under this DSP, remote path and content, if any (`acks` holds each at most once).
    func ack(dsp: String, remotePath: String, sha256: String) throws -> AckFileRecord?

    /// The oldest file of `dsp` with this content that could be read (any outcome but `invalid`), if any.
    func readableAck(dsp: String, sha256: String) throws -> AckFileRecord?

    /// The file with this id, if any.
    func ack(id: Int64) throws -> AckFileRecord?

    /// Notes that a known file was seen again, with the modification time it has now.
    func touchAck(id: Int64, remoteModified: Double?, now: String) throws

    /// Inserts the file's row, its summary taken from its first entry; returns the new id.
    func insertAck(_ file: NewAckFile, first: AckEntryInput?, outcome: AckOutcome, text: String?, now: String) throws -> Int64

    /// Inserts the file's entries, every one `unmatched`, numbered from 0 in their order.
    func insertEntries(ackId: Int64, _ entries: [AckEntryInput]) throws

    /// The sequence numbers of the file's entries that are still `unmatched`.
    func unmatchedEntries(ackId: Int64) throws -> Set<Int>

    /// Stores what entry `seq` of the file did.
    func updateEntry(ackId: Int64, seq: Int, outcome: AckEntryOutcome, deliveryId: Int64?, note: String?) throws

    /// The delivery of the file's first entry (by `seq`) that names one.
    func firstEntryDelivery(ackId: Int64) throws -> Int64?

    /// Stores the file's outcome and the delivery it is filed under.
    func finishAck(id: Int64, outcome: AckOutcome, deliveryId: Int64?, now: String) throws

    /// The delivery with this id when it belongs to `dsp`.
    func delivery(_ id: Int64, dsp: String) throws -> DeliveryRecord?

    /// Moves a delivery through the deliveries' one state method, in this transaction.
    func transition(delivery id: Int64, _ event: DeliveryState.Event, now: String, changes: DeliveryChanges) throws -> DeliveryRecord

    /// Adds a package timeline entry, in this transaction.
    func recordPackageEvent(_ packageId: String, _ event: PackageEvent) throws
}
