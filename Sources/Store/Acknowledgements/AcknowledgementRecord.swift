import DDEXModel
import GRDB

/// What became of a processed acknowledgement file (`acks.outcome`).
public enum AckOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every entry was matched to a delivery and applied (or found older than what was applied).
    case applied
    /// At least one entry matched no completed delivery; the file is kept and tried again on later passes.
    case unmatched
    /// The file could not be read as an acknowledgement; `error_code` says why.
    case invalid
    /// The same content (SHA-256) was already processed from another path of this DSP.
    case duplicate
}

/// What became of one entry of an acknowledgement (`ack_entries.outcome`).
public enum AckEntryOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// The delivery moved to (or stayed in) `acknowledged` / `rejected-by-dsp` with this entry's words.
    case applied
    /// No delivery matched, or the one that matched is not completed yet: tried again later.
    case unmatched
    /// The delivery already carries an acknowledgement created after this one: the newest decides.
    case stale
}

/// A processed acknowledgement file as stored in `acks`.
public struct AckFileRecord: Sendable, Hashable {
    public var id: Int64
    public var dsp: String
    /// Path on the DSP's server, relative to the transport root.
    public var remotePath: String
    /// Lowercase hex SHA-256 of the file; empty when it was refused without being downloaded.
    public var sha256: String
    public var size: UInt64
    public var remoteModified: Double?
    /// `Acknowledgement.Generation` raw value, when the file could be read.
    public var generation: String?
    public var outcome: AckOutcome
    /// The local copy under `archive/acks/<dsp>/`.
    public var archivedPath: String?
    /// For `invalid`: the coded error and its message.
    public var errorCode: String?
    public var text: String?
    public var receivedAt: String
}

/// A new acknowledgement file to record.
public struct NewAckFile: Sendable {
    public var dsp: String
    public var remotePath: String
    public var size: UInt64
    public var remoteModified: Double?
    public var sha256: String
    public var archivedPath: String?
    public var generation: String?
    /// The acknowledgement's creation time (RFC 3339) when it names one: decides which of two acks is newer.
    public var createdAt: String?
    /// Set for a file that could not be read (outcome `invalid`): code and message.
    public var error: (code: String, message: String)?

    public init(dsp: String, remotePath: String, size: UInt64, remoteModified: Double? = nil, sha256: String,
                archivedPath: String? = nil, generation: String? = nil, createdAt: String? = nil,
                error: (code: String, message: String)? = nil)
    {
        self.dsp = dsp
        self.remotePath = remotePath
        self.size = size
        self.remoteModified = remoteModified
        self.sha256 = sha256
        self.archivedPath = archivedPath
        self.generation = generation
        self.createdAt = createdAt
        self.error = error
    }
}

/// One entry of an acknowledgement, with the delivery it was matched to (if any).
public struct AckEntryInput: Sendable, Hashable {
    public var messageId: String?
    public var batchId: String?
    public var releaseIds: [String]
    /// The file status (`FileOK`, `ResourceCorrupt`, …), stored as the delivery's `ack_status`.
    public var status: String
    public var releaseStatus: String?
    /// The DSP's words as stored with the delivery (`ack_text`) and in the package timeline.
    public var text: String?
    /// True moves the delivery to `acknowledged`, false to `rejected-by-dsp`.
    public var isSuccess: Bool
    /// The delivery the entry names, or nil when none matched.
    public var deliveryId: Int64?

    public init(messageId: String?, batchId: String?, releaseIds: [String], status: String, releaseStatus: String?,
                text: String?, isSuccess: Bool, deliveryId: Int64?)
    {
        self.messageId = messageId
        self.batchId = batchId
        self.releaseIds = releaseIds
        self.status = status
        self.releaseStatus = releaseStatus
        self.text = text
        self.isSuccess = isSuccess
        self.deliveryId = deliveryId
    }
}

/// What recording or retrying an acknowledgement did, per entry.
public struct AckEntryResult: Sendable, Hashable {
    public var seq: Int
    public var outcome: AckEntryOutcome
    public var deliveryId: Int64?
    /// The delivery's state after the entry, when it was applied.
    public var state: DeliveryState?
    /// Why an entry was not applied (`delivery 4 is uploading`).
    public var note: String?
}

/// The result of `AcknowledgementStore.record`.
public enum AckRecordResult: Sendable, Hashable {
    /// The file (same DSP, path and SHA-256) was recorded before, by an earlier pass or another process.
    case known(AckFileRecord)
    /// Recorded now, with the entries' results.
    case recorded(AckFileRecord, [AckEntryResult])
}

/// One stored entry of an acknowledgement file (`ack_entries`), as it stands.
public struct AckEntryRecord: Sendable, Hashable {
    public var seq: Int
    public var outcome: AckEntryOutcome
    /// The delivery the entry was applied to (or found stale for).
    public var deliveryId: Int64?
    /// Why it was not applied.
    public var note: String?
}

extension AckEntryRecord: FetchableRecord {
    /// Decodes an `ack_entries` row by column name, on either engine; `STORE_DECODE` for an unknown outcome.
    public init(row: some StoredRow) throws(StoreError) {
        seq = try row.int("seq", in: "ack_entries")
        outcome = try row.enumeration("outcome", in: "ack_entries")
        deliveryId = try row.optionalInteger("delivery_id", in: "ack_entries")
        note = try row.optionalText("note", in: "ack_entries")
    }
}

extension AckFileRecord: FetchableRecord {
    /// Decodes an `acks` row by column name, on either engine; `STORE_DECODE` for an unknown outcome.
    public init(row: some StoredRow) throws(StoreError) {
        let t = "acks"
        id = try row.integer("id", in: t)
        dsp = try row.text("dsp", in: t)
        remotePath = try row.text("remote_path", in: t)
        sha256 = try row.text("sha256", in: t)
        size = try row.byteCount("size", in: t)
        remoteModified = try row.optionalDouble("remote_mtime", in: t)
        generation = try row.optionalText("generation", in: t)
        outcome = try row.enumeration("outcome", in: t)
        archivedPath = try row.optionalText("archived_path", in: t)
        errorCode = try row.optionalText("error_code", in: t)
        text = try row.optionalText("text", in: t)
        receivedAt = try row.text("received_at", in: t)
    }
}
