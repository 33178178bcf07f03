import DDEXConfig
import DDEXModel

/// A built bundle for one DSP: what is on disk under `folder` and the order to upload it in.
///
/// The bundle folder holds exactly what the DSP receives. This description is written beside it as
/// `<folder>.bundle.json`, after the folder is in place: the JSON is the commit marker the delivery side
/// waits for (a folder without its JSON is an interrupted build and may be deleted).
///
/// Named `DeliveryBundle`, not `Bundle`, so it never shadows `Foundation.Bundle`.
public struct DeliveryBundle: Sendable, Hashable, Codable {
    /// What a file is for; uploads go resources → messages → manifest.
    public enum Role: String, Sendable, Hashable, Codable {
        case resource
        case message
        /// `BatchComplete_<BatchId>.xml`, uploaded last.
        case manifest
    }

    /// One file of the bundle.
    public struct File: Sendable, Hashable, Codable {
        /// Path relative to the bundle folder, `/`-separated.
        public var path: String
        public var role: Role
        public var size: UInt64
        public var md5: String
        public var sha256: String

        public init(path: String, role: Role, size: UInt64, md5: String, sha256: String) {
            self.path = path
            self.role = role
            self.size = size
            self.md5 = md5
            self.sha256 = sha256
        }
    }

    /// How the batch is marked complete.
    public enum Completion: String, Sendable, Hashable, Codable {
        /// A `BatchComplete_<BatchId>.xml` ManifestMessage (batch choreography).
        case manifest
        /// A zero-byte `BatchComplete_<BatchId>.xml` semaphore: a batch holding only a PurgeReleaseMessage,
        /// which the 1.8 ManifestMessage cannot list (its MessageType allows NewReleaseMessage only).
        case zeroByteSemaphore = "zero-byte-semaphore"
        /// Release-by-release: no completion file.
        case none
    }

    public var dsp: String
    public var choreography: Choreography
    /// `YYYYMMDDhhmmssnnn`, UTC.
    public var batchId: String
    /// The bundle folder's name (`20250301120000123`, `P_20250301120000123`, `N_0094631432057_20250301120000123`).
    public var folderName: String
    /// Absolute path of the bundle folder.
    public var folder: String
    /// The release id used in folder and file names (ICPN, else GRid, …).
    public var releaseId: String
    public var messageId: String
    /// `NewReleaseMessage` or `PurgeReleaseMessage`.
    public var messageType: String
    public var ernVersion: ERNVersion
    public var isTakedown: Bool
    public var isTest: Bool
    public var completion: Completion
    /// `MessageCreatedDateTime` of the message.
    public var createdAt: String
    /// Every file in upload order: resources, then the release XML, then the BatchComplete file.
    public var files: [File]
    /// Warnings met while building (errors would have stopped the bundle).
    public var warnings: [Problem]

    public init(dsp: String, choreography: Choreography, batchId: String, folderName: String, folder: String,
                releaseId: String, messageId: String, messageType: String, ernVersion: ERNVersion, isTakedown: Bool,
                isTest: Bool, completion: Completion, createdAt: String, files: [File], warnings: [Problem])
    {
        self.dsp = dsp
        self.choreography = choreography
        self.batchId = batchId
        self.folderName = folderName
        self.folder = folder
        self.releaseId = releaseId
        self.messageId = messageId
        self.messageType = messageType
        self.ernVersion = ernVersion
        self.isTakedown = isTakedown
        self.isTest = isTest
        self.completion = completion
        self.createdAt = createdAt
        self.files = files
        self.warnings = warnings
    }

    /// Path of the description written beside the bundle folder.
    public var descriptionPath: String { folder + ".bundle.json" }

    public var totalBytes: UInt64 { files.reduce(0) { $0 + $1.size } }
}

/// The outcome of building for one DSP: a bundle, or the problems that stopped it (for that DSP only).
public struct BundleResult: Sendable, Hashable {
    public var dsp: String
    public var bundle: DeliveryBundle?
    /// Errors that stopped the bundle, or warnings when it was built.
    public var problems: [Problem]

    public init(dsp: String, bundle: DeliveryBundle?, problems: [Problem]) {
        self.dsp = dsp
        self.bundle = bundle
        self.problems = problems
    }
}
