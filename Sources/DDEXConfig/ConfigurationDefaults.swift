import DDEXModel

// Every value a configuration may leave out, declared once. The settings' initialisers and the loaders
// (`ConfigurationLoader`, `DSPProfileReader`) take them from here; the README's configuration reference states
// them, and `ConfigurationDefaultsTests` checks that it and the example configurations say the same.

extension IntakeSettings {
    /// The `[intake]` limits when the table leaves a key out.
    public enum Defaults {
        /// 20 GiB: audio masters of a long release fit; a zip bomb does not.
        public static let maxUnpackedBytes: UInt64 = 20 * 1024 * 1024 * 1024
        public static let maxZipEntries = 10_000
        /// 64 MiB: far above any real release.json or master ERN.
        public static let maxMetadataBytes = 64 * 1024 * 1024
        public static let maxCompressionRatio: UInt64 = 100
    }
}

extension DaemonSettings {
    /// The `[daemon]` values when the table leaves a key out.
    public enum Defaults {
        /// The periodic inbound rescan, a safety net behind inotify.
        public static let rescanSeconds = 60
        /// How long SIGTERM waits for work to finish before cancelling it.
        public static let shutdownTimeoutSeconds = 30
        /// The heartbeat of the status files.
        public static let statusIntervalSeconds = 10
        /// How long a unit of work stays an instance's without a heartbeat: another instance takes over a dead
        /// one's work after this long (its heartbeat renews its leases every third of it).
        public static let leaseSeconds = 30
        public static let logLevel = "info"
    }
}

extension StoreSettings {
    /// The `[store]` values when the table or a key is absent.
    public enum Defaults {
        /// One SQLite file in the spool: nothing to set up, the example configuration runs with it.
        public static let kind = Kind.sqlite
    }
}

extension PostgreSQLSettings {
    /// The `[store]` values of `kind = "postgresql"` when a key is absent.
    public enum Defaults {
        /// PostgreSQL's own port, when the url names none.
        public static let port = 5432
        public static let poolSize = 8
        /// Encrypted; `verify-full` needs the server's CA, `disable` suits loopback only.
        public static let tls = TLSMode.require
    }
}

extension TransportSettings {
    /// A profile's `[transport]` values when the table leaves a key out.
    public enum Defaults {
        public static let kind = Kind.sftp
        public static let port = 22
        public static let connectTimeoutSeconds = 15
        /// SFTP sessions one DSP's worker may hold at once.
        public static let maxSessions = 2
    }
}

extension RetryPolicy {
    /// A profile's `[retry]` values when the table leaves a key out: eight attempts over about four hours.
    public enum Defaults {
        public static let maxAttempts = 8
        public static let initialDelaySeconds: Double = 30
        public static let maxDelaySeconds: Double = 3600
    }
}

extension DSPProfile {
    /// A DSP profile's values when it leaves a key out (its `[transport]` and `[retry]` tables have their own).
    public enum Defaults {
        public static let enabled = true
        public static let ernVersion = ERNVersion.ern43
        public static let choreography = Choreography.batch
        public static let priorityPrefix = PriorityPrefix.none
        public static let territories: [Territory] = [.worldwide]
        public static let hashAlgorithms: [HashAlgorithm] = [.md5]
        public static let resourceNaming = ResourceNaming.ddex
        public static let coverMinPixels = 640
        public static let coverFormats: [ImageDetails.Codec] = [.jpeg, .png]
        public static let coverMustBeSquare = false
        public static let audioFormats: [AudioDetails.Codec] = [.flac, .pcm]
        public static let audioBitDepths = [16, 24]
        public static let audioSampleRates = [44100, 48000, 88200, 96000, 176400, 192000]
        public static let wavRequirePCMFormatTag = false
        public static let takedownStyle = TakedownStyle.removeDeals
        public static let testMode = false
        public static let ackPollSeconds = 300
        /// A week: a completed delivery's acknowledgement folder is listed this long, then `ACK_OVERDUE`.
        public static let ackDeadlineHours = 168
        public static let dsrPollSeconds = 3600
        public static let dsrAfterFetch = DSRAfterFetch.keep
    }
}
