import Bundling
import DDEXConfig
import DDEXModel
import Delivery
import Foundation
import Logging
import ServiceLifecycle
import Store
import UnixSignals

/// `ddexd run`: the long-running daemon, a swift-service-lifecycle `Service`.
///
/// Tasks: the inbound watcher (inotify plus a periodic rescan) claims, validates and bundles packages;
/// the delivery loop runs delivery passes when work arrives or retries fall due; the poll loop runs the
/// acknowledgement and DSR pollers on each DSP's intervals; the heartbeat writes the status files and
/// pings systemd's watchdog; SIGHUP reloads the configuration. SIGTERM/SIGINT stop it gracefully.
public final class DaemonService: Service, @unchecked Sendable {
    public static let version = "0.1.0"

    public let runtime: DaemonRuntime
    public let configPath: String
    public let spoolOverride: String?
    public let notifier: SystemdNotifier
    public let makeTransport: MakeTransport
    private let inboundWakeup = Wakeup()
    private let deliveryWakeup = Wakeup()
    private var logger: Logger { runtime.logger }

    public init(runtime: DaemonRuntime, configPath: String, spoolOverride: String?, notifier: SystemdNotifier = SystemdNotifier(),
                makeTransport: @escaping MakeTransport = TransportFactory.make)
    {
        self.runtime = runtime
        self.configPath = configPath
        self.spoolOverride = spoolOverride
        self.notifier = notifier
        self.makeTransport = makeTransport
    }

    public func run() async throws {
        // Trap SIGHUP before anything else: its default action would end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let configuration = runtime.configuration
        let watcher = try InotifyWatcher()
        // Work a previous process left half-done: claims, packages, uploads.
        let recoveredClaims = try PackageClaimer(spool: configuration.spool, packages: runtime.packages).recover()
        let sweptWork = try WorkFolderSweep(spool: configuration.spool, packages: runtime.packages).run()
        let resumed = try deliveryPass().recoverInterrupted()
        let removedBundles = try cleanOutbound()
        logger.notice("ddexd started", metadata: [
            "version": "\(Self.version)", "pid": "\(getpid())", "config": "\(configPath)", "spool": "\(configuration.spool.root)",
            "dsps": "\(configuration.enabledDSPs.map(\.name).joined(separator: ","))",
            "recovered_claims": "\(recoveredClaims.count)", "resumed_deliveries": "\(resumed.count)",
            "removed_bundles": "\(removedBundles.count)", "swept_work": "\(sweptWork.count)",
        ])
        try watchInbound(watcher)
        watcher.start()
        // Compile the XSDs now rather than on the first package: the first delivery should be as quick as the rest.
        let schemas = runtime.processor.schemas
        let versions = Set(configuration.enabledDSPs.map(\.ernVersion))
        try await onBlockingThread {
            for version in versions { _ = try schemas.schema(for: version) }
            _ = try schemas.choreography()
        }
        try await onBlockingThread { [self] in try advanceOpenPackages() }
        try writeHeartbeat(state: "running")
        notifier.ready(status: statusLine())
        // Whatever waits from before the start (queued, resumed, due retries) goes out now.
        deliveryWakeup.kick()
        inboundWakeup.kick()

        await withGracefulShutdownHandler {
            // Cancellation ends the loops at once (their sleeps and waits are cancellable); transfers under way
            // run on threads of their own and finish (or are resumed at the next start).
            try? await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.inboundLoop(watcher) }
                    group.addTask { await self.forward(watcher.changes) }
                    group.addTask { await self.timer(every: .seconds(configuration.daemon.rescanSeconds), kick: self.inboundWakeup) }
                    group.addTask { await self.deliveryLoop() }
                    group.addTask { await self.timer(every: .seconds(15), kick: self.deliveryWakeup) }
                    group.addTask { await self.pollLoop() }
                    group.addTask { await self.heartbeatLoop() }
                    group.addTask { await self.reloadLoop(watcher, hangups) }
                    await group.waitForAll()
                }
            }
        } onGracefulShutdown: { [self] in
            runtime.beginStopping()
            notifier.stopping()
            logger.notice("stopping: finishing transfers under way", metadata: ["bound_s": "\(runtime.configuration.daemon.shutdownTimeoutSeconds)"])
            inboundWakeup.finish()
            deliveryWakeup.finish()
            watcher.stop()
            // Past the bound, exit anyway: interrupted uploads are resumed at the next start.
            let bound = runtime.configuration.daemon.shutdownTimeoutSeconds
            let log = logger
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: Double(bound))
                log.warning("graceful shutdown bound reached; exiting, interrupted work resumes at the next start")
                exit(0)
            }
        }
        try? writeHeartbeat(state: "stopping")
        logger.notice("ddexd stopped")
    }

    /// Removes bundles no delivery refers to: half-built ones, and whole ones built just before a crash that
    /// came before their delivery was queued (the package is bundled again). Runs at start-up only, under the
    /// spool lock, when no build can be under way.
    func cleanOutbound() throws -> [String] {
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

    // MARK: inbound

    private func watchInbound(_ watcher: InotifyWatcher) throws {
        for account in runtime.configuration.accounts.values {
            try FileManager.default.createDirectory(atPath: account.inbound, withIntermediateDirectories: true)
            try watcher.watch(account.inbound)
            // Package folders being written: READY appears inside them.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: account.inbound)) ?? [] {
                var isDirectory: ObjCBool = false
                let path = account.inbound + "/" + name
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    try? watcher.watch(path)
                }
            }
        }
    }

    private func forward(_ changes: AsyncStream<Set<String>>) async {
        for await _ in changes { inboundWakeup.kick() }
    }

    private func timer(every interval: Duration, kick wakeup: Wakeup) async {
        while !Task.isCancelled && !runtime.isStopping {
            do { try await Task.sleep(for: interval) } catch { return }
            wakeup.kick()
        }
    }

    private func inboundLoop(_ watcher: InotifyWatcher) async {
        for await _ in inboundWakeup.kicks {
            if runtime.isStopping { break }
            // Package folders created since the last look are watched too, so READY written inside wakes us.
            try? watchInbound(watcher)
            do {
                let claimed = try await onBlockingThread { [self] in try claimAndProcess() }
                if claimed > 0 {
                    deliveryWakeup.kick()
                    try? await onBlockingThread { [self] in try writeHeartbeat(state: "running") }
                }
            } catch {
                logger.error("inbound scan failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Claims every complete package of every account and drives each as far as it goes. One package's
    /// failure is logged and recorded; the others go on.
    func claimAndProcess() throws -> Int {
        let configuration = runtime.configuration
        let claimer = PackageClaimer(spool: configuration.spool, packages: runtime.packages)
        var count = 0
        for account in configuration.accounts.values.sorted(by: { $0.name < $1.name }) {
            let ids: [String]
            do {
                ids = try claimer.claimAll(account: account)
            } catch {
                logger.error("cannot claim packages", metadata: ["account": "\(account.name)", "error": "\(error)"])
                continue
            }
            for id in ids {
                count += 1
                logger.info("package claimed", metadata: ["package": "\(id)", "account": "\(account.name)"])
                advance(id)
            }
        }
        return count
    }

    private func advance(_ id: String) {
        let processor = runtime.processor
        do {
            try processor.advance(id)
        } catch {
            logger.error("package step failed; it will be retried", metadata: ["package": "\(id)", "error": "\(error)"])
        }
        try? StatusPublisher(writer: statusWriter, packages: runtime.packages, deliveries: runtime.deliveries)
            .publishPackages([id], configuration: runtime.configuration)
    }

    /// Every package not yet done: validate, build or finish it (after a restart, or after deliveries end).
    func advanceOpenPackages() throws {
        for record in try runtime.packages.packages(in: [.received, .valid, .built]) { advance(record.id) }
    }

    // MARK: delivery

    private func deliveryPass() -> DeliveryPass {
        let runtime = self.runtime
        return DeliveryPass(store: runtime.deliveries, makeTransport: makeTransport, logger: logger,
                            shouldStop: { runtime.isStopping })
    }

    private func deliveryLoop() async {
        for await _ in deliveryWakeup.kicks {
            if runtime.isStopping { break }
            let profiles = runtime.configuration.enabledDSPs.filter { !runtime.isParked(dsp: $0.name) }
            let pass = deliveryPass()
            let summaries = (try? await onBlockingThread { pass.run(profiles: profiles) }) ?? [:]
            var touched = false
            for (dsp, summary) in summaries {
                if let profile = profiles.first(where: { $0.name == dsp }) {
                    note(reach: summary.dspError, reached: summary.reached, profile: profile)
                }
                if !summary.completed.isEmpty { runtime.recordSuccess(dsp: dsp); touched = true }
                for id in summary.completed + summary.retrying + summary.failed {
                    touched = true
                    guard let d = try? runtime.deliveries.delivery(id) else { continue }
                    let detail = d.state == .completed ? d.remoteFolder : "\(d.lastErrorCode ?? ""): \(d.lastErrorMessage ?? "")"
                    try? runtime.packages.record(d.packageId, PackageEvent(at: Timestamp.format(), event: d.state == .completed ? "delivered" : d.state.rawValue,
                                                                           dsp: dsp, detail: detail))
                    if d.state != .completed {
                        runtime.recordError(dsp: dsp, code: d.lastErrorCode ?? "DELIVERY_FAILED", message: d.lastErrorMessage ?? "")
                    }
                }
            }
            if touched {
                try? await onBlockingThread { [self] in
                    try advanceOpenPackages()
                    try writeHeartbeat(state: "running")
                }
            }
        }
    }

    /// Parks a DSP on a permanent error and frees it once it is reached again, logging each change once.
    private func note(reach issue: DSPIssue?, reached: Bool, profile: DSPProfile) {
        if let issue, issue.blocked {
            if runtime.block(dsp: profile.name, code: issue.code, message: issue.message, retryAfter: profile.retry.maxDelaySeconds) {
                logger.error("DSP blocked: nothing is sent to or fetched from it until a person acts", metadata: [
                    "dsp": "\(profile.name)", "code": "\(issue.code)", "error": "\(issue.message)",
                    "retry_every_s": "\(Int(profile.retry.maxDelaySeconds))",
                ])
            }
        } else if let issue {
            runtime.recordError(dsp: profile.name, code: issue.code, message: issue.message)
        } else if reached, runtime.unblock(dsp: profile.name) {
            logger.notice("DSP reachable again", metadata: ["dsp": "\(profile.name)"])
        }
    }

    // MARK: polling

    /// Polls each DSP's acknowledgements and reports on their own intervals.
    private func pollLoop() async {
        var lastAcks: [String: Date] = [:]
        var lastReports: [String: Date] = [:]
        while !Task.isCancelled && !runtime.isStopping {
            let configuration = runtime.configuration
            for profile in configuration.enabledDSPs where !runtime.isStopping && !runtime.isParked(dsp: profile.name) {
                var scope: PollPass.Scope = []
                let now = Date()
                if now.timeIntervalSince(lastAcks[profile.name] ?? .distantPast) >= Double(profile.ackPollSeconds) {
                    scope.insert(.acks)
                    lastAcks[profile.name] = now
                }
                if profile.dsrFolder != nil, now.timeIntervalSince(lastReports[profile.name] ?? .distantPast) >= Double(profile.dsrPollSeconds) {
                    scope.insert(.reports)
                    lastReports[profile.name] = now
                }
                guard !scope.isEmpty else { continue }
                let pass = PollPass(database: runtime.database, archiveRoot: configuration.spool.archive, makeTransport: makeTransport,
                                    logger: logger)
                let chosen = scope
                guard let summary = try? await onBlockingThread({ pass.run(profile: profile, scope: chosen) }) else { continue }
                note(reach: summary.blockedBy, reached: summary.errors.isEmpty, profile: profile)
                if summary.blockedBy == nil, let failure = summary.failures.first {
                    runtime.recordError(dsp: profile.name, code: failure.code, message: failure.message)
                }
                if !summary.acks.applied.isEmpty {
                    try? await onBlockingThread { [self] in
                        try advanceOpenPackages()
                        try writeHeartbeat(state: "running")
                    }
                }
            }
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
        }
    }

    // MARK: heartbeat, status, watchdog

    private var statusWriter: StatusWriter { StatusWriter(folder: runtime.configuration.spool.status) }

    func writeHeartbeat(state: String) throws {
        let configuration = runtime.configuration
        let publisher = StatusPublisher(writer: statusWriter, packages: runtime.packages, deliveries: runtime.deliveries)
        let base = DaemonStatus(version: Self.version, pid: getpid(), startedAt: runtime.startedAt, heartbeatAt: "", state: state,
                                configFile: configPath)
        try statusWriter.write(try publisher.daemonStatus(base: base, configuration: configuration, health: runtime.health))
    }

    private func statusLine() -> String {
        let configuration = runtime.configuration
        return "watching \(configuration.accounts.count) inbound folder(s), \(configuration.enabledDSPs.count) DSP(s)"
    }

    private func heartbeatLoop() async {
        let statusInterval = Duration.seconds(runtime.configuration.daemon.statusIntervalSeconds)
        let interval = notifier.watchdogInterval.map { min($0, statusInterval) } ?? statusInterval
        while !Task.isCancelled && !runtime.isStopping {
            do {
                try await onBlockingThread { [self] in try writeHeartbeat(state: "running") }
                notifier.watchdog()
            } catch {
                logger.error("cannot write the status files", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    // MARK: reload

    private func reloadLoop(_ watcher: InotifyWatcher, _ hangups: UnixSignalsSequence) async {
        for await _ in hangups {
            notifier.reloading()
            logger.notice("SIGHUP: reloading the configuration", metadata: ["config": "\(configPath)"])
            do {
                let fresh = try ConfigurationLoader.load(path: configPath, spoolOverride: spoolOverride)
                if fresh.spool.root != runtime.configuration.spool.root {
                    throw ConfigurationError(problems: [.error("CONFIG_RELOAD_SPOOL", at: configPath,
                                                               "the spool folder cannot change on reload; restart ddexd to move it")])
                }
                runtime.replace(configuration: fresh)
                try watchInbound(watcher)
                logger.notice("configuration reloaded", metadata: ["dsps": "\(fresh.enabledDSPs.map(\.name).joined(separator: ","))",
                                                                   "accounts": "\(fresh.accounts.keys.sorted().joined(separator: ","))"])
                inboundWakeup.kick()
                deliveryWakeup.kick()
            } catch {
                logger.error("the new configuration is refused; the old one stays in force", metadata: ["error": "\(error)"])
            }
            try? writeHeartbeat(state: "running")
            notifier.ready(status: statusLine())
        }
    }
}
