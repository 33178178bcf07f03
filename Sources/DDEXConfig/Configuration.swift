import DDEXModel
import Foundation

/// The whole of ddexd's configuration, as read from `ddexd.toml` and validated.
public struct Configuration: Sendable, Hashable {
    /// The file it was read from.
    public var sourcePath: String
    public var sender: SenderSettings
    public var spool: SpoolSettings
    public var intake: IntakeSettings
    public var schemas: SchemaSettings
    public var accounting: AccountingSettings
    public var daemon: DaemonSettings
    /// Which engine holds the state: SQLite in the spool (the default) or a PostgreSQL database.
    public var store: StoreSettings
    /// Accounts (labels, collectives), keyed by name.
    public var accounts: [String: Account]
    /// DSP profiles, keyed by name.
    public var dsps: [String: DSPProfile]

    public init(sourcePath: String, sender: SenderSettings, spool: SpoolSettings, intake: IntakeSettings = IntakeSettings(),
                schemas: SchemaSettings, accounting: AccountingSettings, daemon: DaemonSettings = DaemonSettings(),
                store: StoreSettings = StoreSettings(), accounts: [String: Account], dsps: [String: DSPProfile])
    {
        self.sourcePath = sourcePath
        self.sender = sender
        self.spool = spool
        self.intake = intake
        self.schemas = schemas
        self.accounting = accounting
        self.daemon = daemon
        self.store = store
        self.accounts = accounts
        self.dsps = dsps
    }

    /// Enabled DSP profiles in name order.
    public var enabledDSPs: [DSPProfile] { dsps.values.filter(\.enabled).sorted { $0.name < $1.name } }
}

/// Who sends the messages: the distributor or label running ddexd.
public struct SenderSettings: Sendable, Hashable {
    public var dpid: DPID
    public var name: String

    public init(dpid: DPID, name: String) {
        self.dpid = dpid
        self.name = name
    }
}

/// The spool folder tree (README: spool layout).
public struct SpoolSettings: Sendable, Hashable {
    /// Absolute path of the spool root.
    public var root: String

    public init(root: String) { self.root = root }

    public var inbound: String { root + "/inbound" }
    public var work: String { root + "/work" }
    public var outbound: String { root + "/outbound" }
    public var archive: String { root + "/archive" }
    public var rejected: String { root + "/rejected" }
    public var state: String { root + "/state" }
    public var status: String { root + "/status" }
    public var database: String { state + "/ddexd.sqlite" }
}

/// Limits applied when reading label packages.
public struct IntakeSettings: Sendable, Hashable {
    /// Largest total a zip package may unpack to.
    public var maxUnpackedBytes: UInt64
    /// Most entries a zip package may hold.
    public var maxZipEntries: Int
    /// Largest metadata file (release.json or master ERN) read into memory.
    public var maxMetadataBytes: Int
    /// Largest ratio of a zip's declared unpacked size to its compressed size (audio and images barely
    /// compress; a zip bomb compresses a thousandfold). Checked once the declared size passes
    /// `compressionRatioFloorBytes`: a small zip cannot hurt whatever its ratio.
    public var maxCompressionRatio: UInt64
    public static let compressionRatioFloorBytes: UInt64 = 64 * 1024 * 1024

    public init(maxUnpackedBytes: UInt64 = Defaults.maxUnpackedBytes, maxZipEntries: Int = Defaults.maxZipEntries,
                maxMetadataBytes: Int = Defaults.maxMetadataBytes, maxCompressionRatio: UInt64 = Defaults.maxCompressionRatio)
    {
        self.maxUnpackedBytes = maxUnpackedBytes
        self.maxZipEntries = maxZipEntries
        self.maxMetadataBytes = maxMetadataBytes
        self.maxCompressionRatio = maxCompressionRatio
    }
}

/// Where the official DDEX XSDs are (`ern43/`, `ern382/`, `ern-c-sftp18/` below it).
///
/// `[schemas] folder` may be omitted: then the folder shipped next to the configuration
/// (`ddex-xsd/`, as in the repository's `Config/`) is used when it is there, else the installed one.
public struct SchemaSettings: Sendable, Hashable {
    /// The folder's name beside the configuration file (the repository ships `Config/ddex-xsd`).
    public static let shippedFolderName = "ddex-xsd"
    /// Where a system installation puts the shipped schemas (the README's systemd section).
    public static let installedFolder = "/usr/share/ddexd/ddex-xsd"

    public var folder: String

    public init(folder: String) { self.folder = folder }

    public var ern43: String { folder + "/ern43/release-notification.xsd" }
    public var ern382: String { folder + "/ern382/release-notification.xsd" }
    public var choreography: String { folder + "/ern-c-sftp18/ern-choreography-sftp.xsd" }

    /// The schema files ddexd compiles at start; each must exist.
    public var requiredFiles: [String] { [ern43, ern382, choreography] }

    /// The folder used when the configuration names none: `ddex-xsd/` beside the configuration file
    /// if it holds the ERN 4.3 schema, else the installed folder.
    public static func defaultFolder(besideConfigurationIn configurationFolder: String) -> String {
        let beside = SchemaSettings(folder: configurationFolder + "/" + shippedFolderName)
        return FileManager.default.fileExists(atPath: beside.ern43) ? beside.folder : installedFolder
    }
}

/// The `[accounting]` table.
public struct AccountingSettings: Sendable, Hashable {
    /// ISO 4217 accounting currency.
    public var currency: String
    /// Default commission in basis points (an account or a DSP may override it).
    public var commissionBasisPoints: Int

    public init(currency: String, commissionBasisPoints: Int) {
        self.currency = currency
        self.commissionBasisPoints = commissionBasisPoints
    }
}

/// The `[daemon]` table.
public struct DaemonSettings: Sendable, Hashable {
    public var rescanSeconds: Int
    public var shutdownTimeoutSeconds: Int
    public var statusIntervalSeconds: Int
    /// How long a lease on a unit of work lasts without a heartbeat (`Defaults.leaseSeconds`).
    public var leaseSeconds: Int
    public var logLevel: String

    public init(rescanSeconds: Int = Defaults.rescanSeconds, shutdownTimeoutSeconds: Int = Defaults.shutdownTimeoutSeconds,
                statusIntervalSeconds: Int = Defaults.statusIntervalSeconds, leaseSeconds: Int = Defaults.leaseSeconds,
                logLevel: String = Defaults.logLevel)
    {
        self.rescanSeconds = rescanSeconds
        self.shutdownTimeoutSeconds = shutdownTimeoutSeconds
        self.statusIntervalSeconds = statusIntervalSeconds
        self.leaseSeconds = leaseSeconds
        self.logLevel = logLevel
    }
}

/// A label or collective whose packages ddexd takes in and accounts for.
public struct Account: Sendable, Hashable {
    public var name: String
    /// Inbound drop folder (absolute).
    public var inbound: String
    public var commissionBasisPoints: Int?
    /// DSPs this account may deliver to; empty means every enabled DSP.
    public var dsps: [String]

    public init(name: String, inbound: String, commissionBasisPoints: Int? = nil, dsps: [String] = []) {
        self.name = name
        self.inbound = inbound
        self.commissionBasisPoints = commissionBasisPoints
        self.dsps = dsps
    }
}
