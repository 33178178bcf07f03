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

    public init(kind: Kind, host: String? = nil, port: Int = 22, user: String? = nil, privateKey: String? = nil,
                knownHosts: String? = nil, remoteRoot: String, connectTimeoutSeconds: Int = 15, maxSessions: Int = 2)
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

    public init(maxAttempts: Int = 8, initialDelaySeconds: Double = 30, maxDelaySeconds: Double = 3600) {
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

    public enum DSRAfterFetch: String, Sendable, Hashable, Codable, CaseIterable {
        case keep
        case delete
        case move
    }

    public init(name: String, enabled: Bool = true, recipientDPID: DPID, recipientName: String,
                ernVersion: ERNVersion = .ern43, choreography: Choreography = .batch,
                priorityPrefix: PriorityPrefix = .none, territories: TerritorySet = TerritorySet(included: [.worldwide]),
                commercialModels: [String] = [], useTypes: [String] = [], hashAlgorithms: [HashAlgorithm] = [.md5],
                resourceNaming: ResourceNaming = .ddex, coverMinPixels: Int = 640, coverMaxPixels: Int? = nil,
                coverFormats: [ImageDetails.Codec] = [.jpeg, .png], coverMustBeSquare: Bool = false,
                audioFormats: [AudioDetails.Codec] = [.flac, .pcm], audioBitDepths: [Int] = [16, 24],
                audioSampleRates: [Int] = [44100, 48000, 88200, 96000, 176400, 192000],
                wavRequirePCMFormatTag: Bool = false, takedownStyle: TakedownStyle = .removeDeals,
                testMode: Bool = false, transport: TransportSettings, retry: RetryPolicy = RetryPolicy(),
                ackFolder: String? = nil, ackPollSeconds: Int = 300, ackDeadlineHours: Int = 168, dsrFolder: String? = nil,
                dsrPollSeconds: Int = 3600, dsrAfterFetch: DSRAfterFetch = .keep, commissionBasisPoints: Int? = nil)
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
