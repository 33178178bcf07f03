import DDEXModel

/// One delivery as stored: a package's bundle for one DSP, its state, and the files to place.
public struct DeliveryRecord: Sendable, Hashable {
    /// What the delivery carries: a release (with its resources) or a takedown of one already delivered.
    public enum Kind: String, Sendable, Hashable {
        case newRelease = "new-release"
        case takedown
    }

    public var id: Int64
    public var packageId: String
    public var dsp: String
    public var releaseId: String
    public var kind: Kind
    public var state: DeliveryState
    public var batchId: String
    public var messageId: String
    /// The local bundle folder.
    public var bundlePath: String
    /// The batch (or release) folder on the server, relative to the transport root.
    public var remoteFolder: String
    public var attempts: Int
    /// Unix time of the next attempt, for `retry-wait`.
    public var nextAttemptAt: Double?
    public var lastErrorCode: String?
    public var lastErrorMessage: String?
    public var ackStatus: String?
    public var ackText: String?
    public var ackFile: String?
    public var ackAt: String?
    /// Unix time the delivery's acknowledgement folder was last listed.
    public var ackCheckedAt: Double?
    public var createdAt: String
    public var updatedAt: String
}

/// A file of a delivery, in upload order (`seq`): resources, then release XMLs, then the completion file.
public struct DeliveryFile: Sendable, Hashable {
    /// What the file is to the choreography, which decides when it may be placed.
    public enum Role: String, Sendable, Hashable {
        case resource
        case message
        /// `BatchComplete_<BatchId>.xml`: written last, only after every other file is verified.
        case completion
    }

    public var seq: Int
    public var role: Role
    public var localPath: String
    /// Path on the server relative to the transport root.
    public var remotePath: String
    public var size: UInt64
    /// The file is on the server under its final name with the right size.
    public var placed: Bool

    public init(seq: Int, role: Role, localPath: String, remotePath: String, size: UInt64, placed: Bool = false) {
        self.seq = seq
        self.role = role
        self.localPath = localPath
        self.remotePath = remotePath
        self.size = size
        self.placed = placed
    }
}

/// What to create when a bundle is queued.
public struct NewDelivery: Sendable, Hashable {
    public var packageId: String
    public var dsp: String
    public var releaseId: String
    public var kind: DeliveryRecord.Kind
    public var batchId: String
    public var messageId: String
    public var bundlePath: String
    public var remoteFolder: String
    public var files: [DeliveryFile]

    public init(packageId: String, dsp: String, releaseId: String, kind: DeliveryRecord.Kind, batchId: String,
                messageId: String, bundlePath: String, remoteFolder: String, files: [DeliveryFile])
    {
        self.packageId = packageId
        self.dsp = dsp
        self.releaseId = releaseId
        self.kind = kind
        self.batchId = batchId
        self.messageId = messageId
        self.bundlePath = bundlePath
        self.remoteFolder = remoteFolder
        self.files = files
    }
}
