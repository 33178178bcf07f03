import DDEXModel
import Foundation
import Intake
import Store

/// `Spool/status/ddexd.json`: the daemon's own health, rewritten atomically on every heartbeat.
/// Its JSON Schema is `Config/schemas/status-daemon.schema.json`.
public struct DaemonStatus: Codable, Sendable, Equatable {
    public var schema: String = "ddexd-status/1"
    public var version: String
    public var pid: Int32
    public var startedAt: String
    public var heartbeatAt: String
    /// `starting`, `running`, `reloading`, `stopping`.
    public var state: String
    public var configFile: String
    public var packages: PackageCounts
    public var dsps: [String: DSPHealth]
    /// This process as an instance of the cluster working on the store: its id, the store's engine, and the
    /// leases it holds (absent in files of before clusters).
    public var instance: InstanceStatus?

    public init(version: String, pid: Int32, startedAt: String, heartbeatAt: String, state: String, configFile: String,
                packages: PackageCounts = PackageCounts(), dsps: [String: DSPHealth] = [:], instance: InstanceStatus? = nil)
    {
        self.instance = instance
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.state = state
        self.configFile = configFile
        self.packages = packages
        self.dsps = dsps
    }

    /// The daemon status's `instance` object.
    public struct InstanceStatus: Codable, Sendable, Equatable {
        /// `<host>-<pid>-<random>`, unique per start.
        public var id: String
        public var host: String
        /// `sqlite` or `postgresql`.
        public var store: String
        /// The units of work this instance holds now (`package:<id>`, `delivery:<id>`, `poll:acks:<dsp>`,
        /// `session:<dsp>:<n>`, `instance:<id>`, …), by name.
        public var leases: [String]
        /// The last error met renewing the leases (the store unreachable), while it lasts.
        public var storeError: StatusError?
        /// Seconds to add to this host's clock to read the database server's, as the last heartbeat measured them
        /// (lease times follow the server's clock); absent on SQLite.
        public var clockOffsetSeconds: Double?

        public init(id: String, host: String, store: String, leases: [String], storeError: StatusError? = nil,
                    clockOffsetSeconds: Double? = nil)
        {
            self.id = id
            self.host = host
            self.store = store
            self.leases = leases
            self.storeError = storeError
            self.clockOffsetSeconds = clockOffsetSeconds
        }
    }

    /// How many packages are in each stage, for the daemon status's `packages` object.
    public struct PackageCounts: Codable, Sendable, Equatable {
        public var received: Int = 0
        public var valid: Int = 0
        public var rejected: Int = 0
        public var built: Int = 0
        public var done: Int = 0
        public init() {}
    }

    /// One DSP's health in the daemon status: enabled, its last success and error, and whether it is parked.
    public struct DSPHealth: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var lastSuccessAt: String?
        public var lastError: StatusError?
        /// Set while a permanent error (host key, credentials, configuration) parks the DSP.
        public var blocked: StatusError?
        /// Deliveries waiting (queued or in retry-wait).
        public var queueDepth: Int
        /// Deliveries being uploaded now.
        public var inFlight: Int
        public var delivered: Int
        public var acknowledged: Int
        public var rejectedByDSP: Int
        public var failed: Int

        public init(enabled: Bool, lastSuccessAt: String? = nil, lastError: StatusError? = nil, blocked: StatusError? = nil,
                    queueDepth: Int = 0, inFlight: Int = 0, delivered: Int = 0, acknowledged: Int = 0, rejectedByDSP: Int = 0,
                    failed: Int = 0)
        {
            self.enabled = enabled
            self.lastSuccessAt = lastSuccessAt
            self.lastError = lastError
            self.blocked = blocked
            self.queueDepth = queueDepth
            self.inFlight = inFlight
            self.delivered = delivered
            self.acknowledged = acknowledged
            self.rejectedByDSP = rejectedByDSP
            self.failed = failed
        }
    }
}

/// An error as status files show it: stable code, sentence, when.
public struct StatusError: Codable, Sendable, Equatable {
    public var code: String
    public var message: String
    public var at: String

    public init(code: String, message: String, at: String) {
        self.code = code
        self.message = message
        self.at = at
    }
}

/// `Spool/status/packages/<package-id>.json`: what the label system gets back about one package.
/// Its JSON Schema is `Config/schemas/status-package.schema.json`.
public struct PackageStatus: Codable, Sendable, Equatable {
    public var schema: String = "ddexd-package-status/1"
    public var packageId: String
    public var account: String
    public var source: String
    public var state: String
    public var release: ReleaseSummary?
    public var problems: [Problem]
    public var timeline: [TimelineEntry]
    public var dsps: [String: DSPDeliveryStatus]
    public var updatedAt: String

    public init(packageId: String, account: String, source: String, state: String, release: ReleaseSummary? = nil,
                problems: [Problem] = [], timeline: [TimelineEntry] = [], dsps: [String: DSPDeliveryStatus] = [:],
                updatedAt: String)
    {
        self.packageId = packageId
        self.account = account
        self.source = source
        self.state = state
        self.release = release
        self.problems = problems
        self.timeline = timeline
        self.dsps = dsps
        self.updatedAt = updatedAt
    }

    /// One event in a package's history, oldest first in the package status's `timeline`.
    public struct TimelineEntry: Codable, Sendable, Equatable {
        public var at: String
        public var event: String
        public var dsp: String?
        public var detail: String?

        public init(at: String, event: String, dsp: String? = nil, detail: String? = nil) {
            self.at = at
            self.event = event
            self.dsp = dsp
            self.detail = detail
        }
    }

    /// Where the package's delivery to one DSP stands, for the package status's `dsps` object.
    public struct DSPDeliveryStatus: Codable, Sendable, Equatable {
        /// A `DeliveryState` raw value, or `not-built` when the DSP's profile refused the release.
        public var state: String
        public var batchId: String?
        public var messageId: String?
        public var attempts: Int
        public var nextAttemptAt: String?
        public var problems: [Problem]
        public var ack: AckStatus?

        public init(state: String, batchId: String? = nil, messageId: String? = nil, attempts: Int = 0,
                    nextAttemptAt: String? = nil, problems: [Problem] = [], ack: AckStatus? = nil)
        {
            self.state = state
            self.batchId = batchId
            self.messageId = messageId
            self.attempts = attempts
            self.nextAttemptAt = nextAttemptAt
            self.problems = problems
            self.ack = ack
        }
    }

    /// What the DSP said, in its own words.
    public struct AckStatus: Codable, Sendable, Equatable {
        public var status: String
        public var text: String?
        public var receivedAt: String
        public var file: String

        public init(status: String, text: String?, receivedAt: String, file: String) {
            self.status = status
            self.text = text
            self.receivedAt = receivedAt
            self.file = file
        }
    }
}
