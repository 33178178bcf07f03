import Bundling
import DDEXConfig
import DDEXModel
import Delivery
import Foundation
import Logging
import ServiceLifecycle
import Store
import UnixSignals

/// `ddexd run`: one swift-service-lifecycle `Service` per job in one `ServiceGroup`.
///
/// ```
/// ClusterService ── StatusService ── PackageService ── InboundService ── DeliveryService ── PollService ── ControlService
///   leases'          heartbeat,       the one owner      inotify +         one worker per     an ack and a     SIGHUP reload,
///   heartbeat,       status files,    of package         rescan, claims    DSP, up to         DSR poller       SIGTERM: stop
///   given back last  watchdog         processing                           max_sessions       per DSP          claiming new work
/// ```
///
/// Every unit of work is taken under a lease (`LeaseKeeper`): alone on SQLite this instance holds them all; on a
/// PostgreSQL store shared with other instances each unit goes to one of them, and a dead instance's units are
/// taken over once its leases expire.
///
/// Services start in that order and stop in the reverse one: on SIGTERM the control service stops new work at
/// once, the pollers and delivery workers finish what is under way, and the status service writes `stopping`
/// last. Past `shutdown_timeout_seconds` the group cancels what is left; interrupted uploads resume at the next
/// start. Blocking work runs on the runtime's `BlockingPool`, never on Swift's cooperative threads.
public struct Daemon: Sendable {
    public static let version = "0.1.0"

    public let runtime: DaemonRuntime

    /// A daemon over `runtime`; nothing starts until it is run.
    public init(runtime: DaemonRuntime) { self.runtime = runtime }

    /// Recovers what a previous process left half-done, then runs every service until SIGTERM or SIGINT.
    public func run() async throws {
        // Trap SIGHUP before anything else: its default action would end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try await start()
        var groupLogger = runtime.logger
        groupLogger.logLevel = .warning
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: ClusterService(runtime: runtime)),
                .init(service: StatusService(runtime: runtime)),
                .init(service: PackageService(runtime: runtime)),
                .init(service: InboundService(runtime: runtime)),
                .init(service: DeliveryService(runtime: runtime)),
                .init(service: PollService(runtime: runtime)),
                .init(service: ControlService(runtime: runtime, hangups: hangups)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: groupLogger)
        configuration.maximumGracefulShutdownDuration = .seconds(runtime.configuration.daemon.shutdownTimeoutSeconds)
        try await ServiceGroup(configuration: configuration).run()
        runtime.pool.shutdown()
        runtime.logger.notice("ddexd stopped")
    }

    /// Start-up under the spool lock, before any service runs: finishes or undoes half-made claims, sends
    /// interrupted uploads back to the queue, removes bundles no delivery refers to, compiles the XSDs.
    func start() async throws {
        let runtime = runtime
        let configuration = runtime.configuration
        let (claims, swept, resumed, removed) = try await runtime.pool.run {
            let cluster = runtime.repositories.cluster
            try cluster.register(runtime.instance.beating(at: try runtime.leases.clock.synchronizedNow(with: cluster)))
            if !runtime.sharesTheStore {
                // Alone on the spool (its lock is ours), no earlier instance can be alive: what it held when it died
                // is free now, not after its leases expire.
                for other in try cluster.instances() where other.id != runtime.instance.id && other.stoppedAt == nil {
                    try cluster.releaseAll(holder: other.id, stoppedAt: Timestamp.format())
                }
            }
            _ = try runtime.leases.acquire(runtime.leases.instanceResource)
            let claims = try runtime.claimer.recover()
            let swept = try WorkFolderSweep(spool: configuration.spool, packages: runtime.packages, leases: runtime.leases).run()
            let resumed = try DeliveryPass(store: runtime.deliveries, makeTransport: runtime.makeTransport, logger: runtime.logger)
                .recoverInterrupted(leases: runtime.leases)
            return (claims, swept, resumed, try Self.cleanOutbound(runtime))
        }
        // Logged by the status service once the group runs (and SIGTERM is handled): a supervisor that sees
        // this line may stop the daemon at once.
        runtime.startup.withLock { $0 = [
            "version": "\(Self.version)", "pid": "\(getpid())", "instance": "\(runtime.instance.id)",
            "store": "\(runtime.repositories.engine)", "config": "\(runtime.configPath)", "spool": "\(configuration.spool.root)",
            "dsps": "\(configuration.enabledDSPs.map(\.name).joined(separator: ","))",
            "recovered_claims": "\(claims.count)", "resumed_deliveries": "\(resumed.count)", "removed_bundles": "\(removed.count)",
            "swept_work": "\(swept.count)",
            "threads": "\(runtime.pool.threadCount)",
        ] }
        // Compile the XSDs now rather than on the first package: the first delivery should be as quick as the rest.
        let schemas = runtime.schemas
        let versions = Set(configuration.enabledDSPs.map(\.ernVersion))
        try await runtime.pool.run {
            for version in versions { _ = try schemas.schema(for: version) }
            _ = try schemas.choreography()
        }
        runtime.packageQueue.enqueueEveryOpenPackage()
        runtime.inboundWakeup.kick()
    }

    /// Removes bundles no delivery refers to: half-built ones, and whole ones built just before a crash that
    /// came before their delivery was queued (the package is bundled again). Runs at start-up only, and only when
    /// no other instance is alive, so that no build can be under way.
    static func cleanOutbound(_ runtime: DaemonRuntime) throws -> [String] {
        // Another live instance of the cluster may be building a bundle right now: the folder is left to whoever
        // starts alone.
        guard try runtime.otherLiveInstances().isEmpty else { return [] }
        let outbound = runtime.configuration.spool.outbound
        let known = Set(try runtime.deliveries.deliveries(states: DeliveryState.allCases).map(\.bundlePath))
        var removed: [String] = []
        for dsp in (try? FileManager.default.contentsOfDirectory(atPath: outbound)) ?? [] {
            let folder = outbound + "/" + dsp
            removed += BundleBuilder.removeInterruptedBuilds(in: folder)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".bundle.json") {
                let bundle = folder + "/" + String(name.dropLast(".bundle.json".count))
                guard !known.contains(bundle) else { continue }
                try? FileManager.default.removeItem(atPath: bundle)
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
                removed.append(bundle)
            }
        }
        return removed
    }
}
