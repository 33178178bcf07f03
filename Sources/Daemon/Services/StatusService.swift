import DDEXModel
import DDEXRuntime
import Foundation
import Logging
import ServiceLifecycle
import Store

/// The heartbeat: rewrites `ddexd.json` and `ddexd.prom` every `status_interval_seconds` (and pings systemd's
/// watchdog). It runs on a thread of its own and reads through the runtime's reading connection, so nothing
/// another service holds (a report load, an upload, the writer's lock) can make it late.
struct StatusService: Service {
    let runtime: DaemonRuntime

    func run() async throws {
        let thread = BlockingPool(name: "ddexd-status", threads: 1)
        defer { thread.shutdown() }
        let statusInterval = Duration.seconds(runtime.configuration.daemon.statusIntervalSeconds)
        let interval = runtime.notifier.watchdogInterval.map { min($0, statusInterval) } ?? statusInterval
        let (runtime, notifier) = (runtime, runtime.notifier)
        var first = true
        while !Task.isShuttingDownGracefully {
            do {
                try await thread.run { try Self.write(runtime, state: "running") }
                notifier.watchdog()
                if first {
                    runtime.logger.notice("ddexd started", metadata: runtime.startup.current)
                    notifier.ready(status: Self.statusLine(runtime))
                }
                first = false
            } catch is CancellationError {
                break
            } catch {
                runtime.logger.error("cannot write the status files", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        // Last to stop: every other service has ended.
        _ = try? await thread.run { try Self.write(runtime, state: "stopping") }
    }

    static func write(_ runtime: DaemonRuntime, state: String) throws {
        let configuration = runtime.configuration
        let writer = runtime.statusWriter
        let publisher = StatusPublisher(writer: writer, packages: runtime.packages,
                                        deliveries: runtime.deliveries)
        let instance = DaemonStatus.InstanceStatus(id: runtime.instance.id, host: runtime.instance.host,
                                                   store: runtime.repositories.engine,
                                                   leases: runtime.leases.heldLeases.map(\.resource), storeError: runtime.storeError,
                                                   clockOffsetSeconds: runtime.leases.clock.reading.map { ($0.offset * 1000).rounded() / 1000 })
        let base = DaemonStatus(version: Daemon.version, pid: getpid(), startedAt: runtime.startedAt, heartbeatAt: "", state: state,
                                configFile: runtime.configPath, instance: instance)
        try writer.write(try publisher.daemonStatus(base: base, configuration: configuration, health: runtime.health))
    }

    static func statusLine(_ runtime: DaemonRuntime) -> String {
        let configuration = runtime.configuration
        return "watching \(configuration.accounts.count) inbound folder(s), \(configuration.enabledDSPs.count) DSP(s)"
    }
}
