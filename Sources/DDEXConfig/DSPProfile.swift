import DDEXModel

/// ERN versions ddexd writes.
public enum ERNVersion: String, Sendable, Hashable, Codable, CaseIterable {
    case ern43 = "4.3"
    case ern382 = "3.8.2"
}

/// How bundles are laid out on the DSP's server (CHOREOGRAPHY.md §2-3).
public enum Choreography: String, Sendable, Hashable, Codable, CaseIterable {
    /// `<BatchId>/<ReleaseId>/…` + `BatchComplete_<BatchId>.xml` written last.
    case batch
    /// `<P|N|L>_<ReleaseId>_<timestamp>/<ReleaseId>.xml` + `resources/`.
    case releaseByRelease = "release-by-release"
}

/// How a release is taken down at this DSP.
public enum TakedownStyle: String, Sendable, Hashable, Codable, CaseIterable {
    /// A NewReleaseMessage whose deals are removed (Spotify).
    case removeDeals = "remove-deals"
    /// A PurgeReleaseMessage (Audius).
    case purgeRelease = "purge-release"
}

/// How resource files are named inside a bundle's `resources/` folder.
public enum ResourceNaming: String, Sendable, Hashable, Codable, CaseIterable {
    /// `<ICPN>_<disc 2 digits>_<track 3 digits>.<ext>` for audio, `<ICPN>.<ext>` for the cover (DDEX convention).
    case ddex
    /// `<ISRC>.<ext>` for audio, `<ICPN>_cover.<ext>` for the cover.
    case isrc
    /// The file name the label used.
    case original
}

/// The priority prefix on batch or release folders (`P_`, `N_`, `L_`), or none.
public enum PriorityPrefix: String, Sendable, Hashable, Codable, CaseIterable {
    case none
    case priority = "P"
    case normal = "N"
    case low = "L"
}

/// Where and how to reach a DSP's server.
public struct TransportSettings: Sendable, Hashable, Codable {
    /// How the DSP is reached (`[transport] kind`).
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case sftp
        /// A locally mounted folder (or a dry run): the same choreography with file operations.
        case local
    }

    public var kind: Kind
    public var host: String?
    public var port: Int
    public var user: String?
    /// Private key file (ed25519 or ECDSA; RSA keys fail with libssh2 1.10 against OpenSSH ≥ 8.8).
    public var privateKey: String?
    /// known_hosts file holding the server's pinned host key.
    public var knownHosts: String?
    /// Root folder on the server (or the local folder for `local`).
    public var remoteRoot: String
    public var connectTimeoutSeconds: Int
    public var maxSessions: Int

    public init(kind: Kind, host: String? = nil, port: Int = Defaults.port, user: String? = nil, privateKey: String? = nil,
                knownHosts: String? = nil, remoteRoot: String, connectTimeoutSeconds: Int = Defaults.connectTimeoutSeconds,
                maxSessions: Int = Defaults.maxSessions)
    {
        self.kind = kind
        self.host = host
        self.port = port
        self.user = user
        self.privateKey = privateKey
        self.knownHosts = knownHosts
        self.remoteRoot = remoteRoot
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.maxSessions = maxSessions
    }
}

/// Retry policy: exponential backoff with jitter until the attempt budget is spent.
public struct RetryPolicy: Sendable, Hashable, Codable {
    public var maxAttempts: Int
    public var initialDelaySeconds: Double
    public var maxDelaySeconds: Double

    public init(maxAttempts: Int = Defaults.maxAttempts, initialDelaySeconds: Double = Defaults.initialDelaySeconds,
                maxDelaySeconds: Double = Defaults.maxDelaySeconds)
    {
        self.maxAttempts = maxAttempts
        self.initialDelaySeconds = initialDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
    }
}

/// Everything ddexd knows about one DSP. A new DSP is configuration only: one `[dsp.NAME]` table.
public struct DSPProfile: Sendable, Hashable, Codable {
    public var name: String
    public var enabled: Bool
    public var recipientDPID: DPID
    public var recipientName: String
    public var ernVersion: ERNVersion
    public var choreography: Choreography
    public var priorityPrefix: PriorityPrefix
    /// Territories the DSP serves; deals are cut down to these.
    public var territories: TerritorySet
    /// Accepted CommercialModelType values; empty accepts all.
    public var commercialModels: [String]
    /// Accepted UseType values; empty accepts all.
    public var useTypes: [String]
    /// Hash algorithms written into the ERN (MD5 always possible; SHA-256 only with ERN 4.x).
    public var hashAlgorithms: [HashAlgorithm]
    public var resourceNaming: ResourceNaming
    public var coverMinPixels: Int
    public var coverMaxPixels: Int?
    public var coverFormats: [ImageDetails.Codec]
    public var coverMustBeSquare: Bool
    public var audioFormats: [AudioDetails.Codec]
    public var audioBitDepths: [Int]
    public var audioSampleRates: [Int]
    /// Refuse WAV files whose format tag is WAVE_FORMAT_EXTENSIBLE (Spotify wants 0x0001 only).
    public var wavRequirePCMFormatTag: Bool
    public var takedownStyle: TakedownStyle
    /// Send `MessageControlType=TestMessage`.
    public var testMode: Bool
    public var transport: TransportSettings
    public var retry: RetryPolicy
    /// Folder (relative to the transport root) where acknowledgements appear, if not in each batch's `acknowledgements/`.
    public var ackFolder: String?
    public var ackPollSeconds: Int
    /// A completed delivery's acknowledgement folder is listed for this long; after it the delivery is shown
    /// with `ACK_OVERDUE` and its folder is no longer listed (the profile's `ackFolder` still is).
    public var ackDeadlineHours: Int
    /// Folder (relative to the transport root) where the DSP drops DSR reports; `nil` when it sends none.
    public var dsrFolder: String?
    public var dsrPollSeconds: Int
    /// What to do with a fetched report on the server.
    public var dsrAfterFetch: DSRAfterFetch
    /// Commission in basis points for this DSP, overriding the account's.
    public var commissionBasisPoints: Int?

    /// What happens to a report on the DSP's server once it is fetched and archived (`[dsr] after_fetch`).
    public enum DSRAfterFetch: String, Sendable, Hashable, Codable, CaseIterable {
        case keep
        case delete
        case move
    }

    public init(name: String, enabled: Bool = Defaults.enabled, recipientDPID: DPID, recipientName: String,
                ernVersion: ERNVersion = Defaults.ernVersion, choreography: Choreography = Defaults.choreography,
                priorityPrefix: PriorityPrefix = Defaults.priorityPrefix,
                territories: TerritorySet = TerritorySet(included: Defaults.territories),
                commercialModels: [String] = [], useTypes: [String] = [], hashAlgorithms: [HashAlgorithm] = Defaults.hashAlgorithms,
                resourceNaming: ResourceNaming = Defaults.resourceNaming, coverMinPixels: Int = Defaults.coverMinPixels,
                coverMaxPixels: Int? = nil, coverFormats: [ImageDetails.Codec] = Defaults.coverFormats,
                coverMustBeSquare: Bool = Defaults.coverMustBeSquare, audioFormats: [AudioDetails.Codec] = Defaults.audioFormats,
                audioBitDepths: [Int] = Defaults.audioBitDepths, audioSampleRates: [Int] = Defaults.audioSampleRates,
                wavRequirePCMFormatTag: Bool = Defaults.wavRequirePCMFormatTag, takedownStyle: TakedownStyle = Defaults.takedownStyle,
                testMode: Bool = Defaults.testMode, transport: TransportSettings, retry: RetryPolicy = RetryPolicy(),
                ackFolder: String? = nil, ackPollSeconds: Int = Defaults.ackPollSeconds,
                ackDeadlineHours: Int = Defaults.ackDeadlineHours, dsrFolder: String? = nil,
                dsrPollSeconds: Int = Defaults.dsrPollSeconds, dsrAfterFetch: DSRAfterFetch = Defaults.dsrAfterFetch,
                commissionBasisPoints: Int? = nil)
    {
        self.name = name
        self.enabled = enabled
        self.recipientDPID = recipientDPID
        self.recipientName = recipientName
        self.ernVersion = ernVersion
        self.choreography = choreography
        self.priorityPrefix = priorityPrefix
        self.territories = territories
        self.commercialModels = commercialModels
        self.useTypes = useTypes
        self.hashAlgorithms = hashAlgorithms
        self.resourceNaming = resourceNaming
        self.coverMinPixels = coverMinPixels
        self.coverMaxPixels = coverMaxPixels
        self.coverFormats = coverFormats
        self.coverMustBeSquare = coverMustBeSquare
        self.audioFormats = audioFormats
        self.audioBitDepths = audioBitDepths
        self.audioSampleRates = audioSampleRates
        self.wavRequirePCMFormatTag = wavRequirePCMFormatTag
        self.takedownStyle = takedownStyle
        self.testMode = testMode
        self.transport = transport
        self.retry = retry
        self.ackFolder = ackFolder
        self.ackPollSeconds = ackPollSeconds
        self.ackDeadlineHours = ackDeadlineHours
        self.dsrFolder = dsrFolder
        self.dsrPollSeconds = dsrPollSeconds
        self.dsrAfterFetch = dsrAfterFetch
        self.commissionBasisPoints = commissionBasisPoints
    }
}
