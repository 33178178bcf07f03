import DDEXConfig
import DDEXModel
import DDEXRuntime
import Delivery
import ERN
import Foundation
import Ledger
import Logging
import Store

/// What the daemon's services share: the configuration in force (replaced on SIGHUP), the store, the blocking
/// pool, what is known about each DSP between heartbeats, and the wake-ups between services.
public final class DaemonRuntime: Sendable {
    private struct State {
        var configuration: Configuration
        var schemas: ERNSchemaSet
        var health: [String: DSPRuntimeHealth] = [:]
        var deliveryWakeups: [String: Wakeup] = [:]
        var shuttingDown = false
        var storeError: StatusError?
    }

    private let state: Locked<State>
    /// The store's repositories, whatever its engine (SQLite, or PostgreSQL shared with other instances).
    public let repositories: StoreRepositories
    /// The SQLite store, when that is the engine: the accounting catalogue and the pollers still write through it.
    public let store: StoreDatabase?
    public let packages: any PackageRepository
    public let deliveries: any DeliveryRepository
    public let messageIds: any MessageIdRepository
    /// Records valid releases in the accounting catalogue, in the store's engine.
    public let catalogue: PackageProcessor.ReleaseCatalogue
    /// This process as an instance of the cluster working on the store (alone on SQLite).
    public let instance: InstanceRecord
    /// The leases through which this instance shares the work with the others.
    public let leases: LeaseKeeper
    /// The threads that run blocking work (SQLite, libssh2, file I/O), sized to the sessions and services.
    public let pool: BlockingPool
    public let makeTransport: MakeTransport
    public let notifier: SystemdNotifier
    public let logger: Logger
    public let startedAt: String
    public let configPath: String
    public let spoolOverride: String?
    /// Packages to advance, for the one service that owns package processing.
    public let packageQueue = PackageQueue()
    /// Wakes the inbound service (inotify events, reloads).
    public let inboundWakeup = Wakeup()
    /// Wakes the supervisors of per-DSP workers when the set of DSPs may have changed.
    public let dspSetChanged = Wakeup()
    public let pollSetChanged = Wakeup()
    /// What start-up recovered, for the "ddexd started" line the status service logs once the services run.
    public let startup = Locked<Logger.Metadata>([:])

    /// Everything the services share, from the configuration in force at start: the store's `repositories`,
    /// this `instance` and its leases (lasting `leaseSeconds` without a heartbeat), the blocking pool sized to the
    /// DSPs' sessions and the services, and `startedAt` (now). Starts no thread of its own beyond the pool's.
    public init(configuration: Configuration, repositories: StoreRepositories, store: StoreDatabase?,
                catalogue: @escaping PackageProcessor.ReleaseCatalogue, instance: InstanceRecord = .current(version: Daemon.version), leaseSeconds: Double = 30,
                configPath: String, spoolOverride: String?, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(),
                makeTransport: @escaping MakeTransport = TransportFactory.make)
    {
        state = Locked(State(configuration: configuration, schemas: ERNSchemaSet(settings: configuration.schemas)))
        self.repositories = repositories
        self.store = store
        self.catalogue = catalogue
        packages = repositories.packages
        deliveries = repositories.deliveries
        messageIds = repositories.messageIds
        self.instance = instance
        leases = LeaseKeeper(instance: instance.id, cluster: repositories.cluster, duration: leaseSeconds)
        pool = BlockingPool(name: "ddexd-blocking", threads: Self.threads(for: configuration))
        self.makeTransport = makeTransport
        self.notifier = notifier
        self.logger = logger
        startedAt = Timestamp.format()
        self.configPath = configPath
        self.spoolOverride = spoolOverride
    }

    /// The SQLite store's runtime: its repositories, this process alone holding the leases.
    public convenience init(configuration: Configuration, store: StoreDatabase, configPath: String, spoolOverride: String?,
                            logger: Logger, notifier: SystemdNotifier = SystemdNotifier(),
                            makeTransport: @escaping MakeTransport = TransportFactory.make)
    {
        self.init(configuration: configuration, repositories: StoreRepositories(sqlite: store), store: store,
                  catalogue: LedgerCatalog.recorder(sqlite: store),
                  configPath: configPath, spoolOverride: spoolOverride, logger: logger, notifier: notifier,
                  makeTransport: makeTransport)
    }

    /// Enough threads that no service waits for one behind another's blocking call: per DSP two per session
    /// (a file upload and a store write of another delivery) and one per poller; then inbound, packages, reloads
    /// and the cluster heartbeat. Threads that have nothing to do cost nothing.
    static func threads(for configuration: Configuration) -> Int {
        configuration.enabledDSPs.reduce(5) { $0 + 2 * max(1, $1.transport.maxSessions) + 2 }
    }

    public var configuration: Configuration { state.withLock { $0.configuration } }
    public var schemas: ERNSchemaSet { state.withLock { $0.schemas } }

    /// Swaps in a new configuration (validated by the caller) and grows the pool for new sessions.
    public func replace(configuration: Configuration) {
        state.withLock {
            if configuration.schemas != $0.configuration.schemas { $0.schemas = ERNSchemaSet(settings: configuration.schemas) }
            $0.configuration = configuration
        }
        pool.grow(to: Self.threads(for: configuration))
    }

    public var processor: PackageProcessor {
        let (configuration, schemas) = state.withLock { ($0.configuration, $0.schemas) }
        return PackageProcessor(configuration: configuration, packages: packages, deliveries: deliveries, messageIds: messageIds,
                                catalogue: catalogue, schemas: schemas, logger: logger)
    }

    /// The wake-up of `dsp`'s delivery worker (kicked when a delivery is queued for it).
    public func deliveryWakeup(for dsp: String) -> Wakeup {
        state.withLock { state in
            if let wakeup = state.deliveryWakeups[dsp] { return wakeup }
            let wakeup = Wakeup()
            state.deliveryWakeups[dsp] = wakeup
            return wakeup
        }
    }

    /// Wakes every delivery worker (new deliveries, a reload).
    public func kickDeliveries() {
        for wakeup in state.withLock({ Array($0.deliveryWakeups.values) }) { wakeup.kick() }
    }

    // MARK: shutdown

    /// True from SIGTERM on: no service starts new work; work under way finishes.
    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Marks the shutdown and wakes every waiting service, so each sees `isShuttingDown` at once instead of at
    /// its next timer.
    public func beginShutdown() {
        let wakeups = state.withLock { state -> [Wakeup] in
            state.shuttingDown = true
            return Array(state.deliveryWakeups.values)
        }
        for wakeup in wakeups + [inboundWakeup, dspSetChanged, pollSetChanged, packageQueue.wakeup] { wakeup.finish() }
    }

    // MARK: store health

    /// The last error met renewing this instance's leases (the store unreachable), nil once it works again.
    public var storeError: StatusError? { state.withLock { $0.storeError } }

    /// Notes whether the store answered the last heartbeat, for the status files.
    public func noteStore(error: StatusError?) {
        state.withLock { $0.storeError = error }
    }

    /// The ids of the other instances whose instance lease is alive now.
    public func otherLiveInstances(at now: Double = Date().timeIntervalSince1970) throws -> [String] {
        try repositories.cluster.leases().filter { lease in
            lease.resource.hasPrefix("instance:") && lease.holder != instance.id && !lease.isExpired(at: now)
        }.map(\.holder)
    }

    /// True when instances share the store and the spool (PostgreSQL): each then writes status files of its own.
    public var sharesTheStore: Bool { repositories.engine != "sqlite" }

    /// Where this instance writes its status files.
    public var statusWriter: StatusWriter {
        StatusWriter(folder: configuration.spool.status, instance: sharesTheStore ? instance.id : nil)
    }

    /// Claims packages out of the inbound folders, under this instance's leases.
    public var claimer: PackageClaimer {
        PackageClaimer(spool: configuration.spool, packages: packages, leases: leases)
    }

    /// The lease resource of one package's steps.
    public static func packageResource(_ id: String) -> String { "package:" + id }

    // MARK: DSP health

    public var health: [String: DSPRuntimeHealth] { state.withLock { $0.health } }

    /// Notes that `dsp` just worked (a delivery or a poll reached it), for the status files' `last_success_at`.
    /// Safe from any thread.
    public func recordSuccess(dsp: String) {
        state.withLock { $0.health[dsp, default: DSPRuntimeHealth()].lastSuccessAt = Timestamp.format() }
    }

    /// Notes the last error met with `dsp` (its stable code and message, stamped now) for the status files; it does
    /// not block the DSP (see `block`). Safe from any thread.
    public func recordError(dsp: String, code: String, message: String) {
        state.withLock { $0.health[dsp, default: DSPRuntimeHealth()].lastError = StatusError(code: code, message: message, at: Timestamp.format()) }
    }

    /// Parks `dsp` after a permanent error until `retryAfter` seconds from now. True when this is news (the DSP
    /// was not blocked, or by another code): the caller logs it then, and only then.
    public func block(dsp: String, code: String, message: String, retryAfter: Double) -> Bool {
        state.withLock { state in
            var health = state.health[dsp, default: DSPRuntimeHealth()]
            let changed = health.blocked?.code != code
            if changed { health.blocked = StatusError(code: code, message: message, at: Timestamp.format()) }
            health.lastError = StatusError(code: code, message: message, at: Timestamp.format())
            health.retryBlockedAt = Date().addingTimeInterval(retryAfter)
            state.health[dsp] = health
            return changed
        }
    }

    /// Clears a block after the DSP was reached; true when it was blocked (the caller logs the change).
    public func unblock(dsp: String) -> Bool {
        state.withLock { state in
            guard state.health[dsp]?.blocked != nil else { return false }
            state.health[dsp]?.blocked = nil
            state.health[dsp]?.retryBlockedAt = nil
            return true
        }
    }

    /// When a blocked DSP is tried next; nil when it is not blocked or is due now.
    public func parkedUntil(dsp: String, at now: Date = Date()) -> Date? {
        state.withLock { state in
            guard state.health[dsp]?.blocked != nil, let retry = state.health[dsp]?.retryBlockedAt, now < retry else { return nil }
            return retry
        }
    }

    /// Parks a DSP on a permanent error and frees it once it is reached again, logging each change once.
    public func note(reach issue: DSPIssue?, reached: Bool, profile: DSPProfile) {
        if let issue, issue.blocked {
            if block(dsp: profile.name, code: issue.code, message: issue.message, retryAfter: profile.retry.maxDelaySeconds) {
                logger.error("DSP blocked: nothing is sent to or fetched from it until a person acts", metadata: [
                    "dsp": "\(profile.name)", "code": "\(issue.code)", "error": "\(issue.message)",
                    "retry_every_s": "\(Int(profile.retry.maxDelaySeconds))",
                ])
            }
        } else if let issue {
            recordError(dsp: profile.name, code: issue.code, message: issue.message)
        } else if reached, unblock(dsp: profile.name) {
            logger.notice("DSP reachable again", metadata: ["dsp": "\(profile.name)"])
            deliveryWakeup(for: profile.name).kick()
        }
    }
}

/// The packages waiting to be advanced, in order, each once: a coalescing queue in front of the package service.
public final class PackageQueue: Sendable {
    private struct State {
        var ids: [String] = []
        var everyOpenPackage = false
    }

    private let state = Locked(State())
    /// Packages whose status file could not be written (the store away): written again at the next look.
    private let staleStatuses = Locked<Set<String>>([])
    public let wakeup = Wakeup()

    public init() {}

    /// Asks for `ids` to be advanced (a claim, a delivery attempt).
    public func enqueue(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        state.withLock { state in
            for id in ids where !state.ids.contains(id) { state.ids.append(id) }
        }
        wakeup.kick()
    }

    /// Asks for every package that is not done to be looked at (start-up, acknowledgements applied).
    public func enqueueEveryOpenPackage() {
        state.withLock { $0.everyOpenPackage = true }
        wakeup.kick()
    }

    /// True when nothing waits.
    var isIdle: Bool { state.withLock { $0.ids.isEmpty && !$0.everyOpenPackage } }

    /// Notes that `id`'s status file is behind the store: a package that reached its last state while the store
    /// was away would otherwise never have it written.
    func noteStaleStatus(_ id: String) {
        staleStatuses.withLock { _ = $0.insert(id) }
    }

    /// Takes the packages whose status file is behind the store.
    func takeStaleStatuses() -> [String] {
        staleStatuses.withLock { stale in
            defer { stale = [] }
            return stale.sorted()
        }
    }

    /// Takes what is waiting.
    func take() -> (ids: [String], everyOpenPackage: Bool) {
        state.withLock { state in
            defer { state = State() }
            return (state.ids, state.everyOpenPackage)
        }
    }
}
