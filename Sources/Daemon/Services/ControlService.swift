import DDEXConfig
import DDEXModel
import Foundation
import ServiceLifecycle
import UnixSignals

/// SIGHUP: re-reads the configuration (a broken one is refused and the old one stays). SIGTERM/SIGINT reach
/// this service first (it is the last one started): it tells systemd and every service to start no new work.
struct ControlService: Service {
    let runtime: DaemonRuntime
    let hangups: UnixSignalsSequence

    func run() async throws {
        let runtime = runtime
        await withGracefulShutdownHandler {
            for await _ in hangups.cancelOnGracefulShutdown() { reload() }
        } onGracefulShutdown: {
            runtime.notifier.stopping()
            runtime.logger.notice("stopping: finishing transfers under way",
                                  metadata: ["bound_s": "\(runtime.configuration.daemon.shutdownTimeoutSeconds)"])
            runtime.beginShutdown()
        }
    }

    private func reload() {
        let notifier = runtime.notifier
        notifier.reloading()
        runtime.logger.notice("SIGHUP: reloading the configuration", metadata: ["config": "\(runtime.configPath)"])
        do {
            let fresh = try ConfigurationLoader.load(path: runtime.configPath, spoolOverride: runtime.spoolOverride)
            if fresh.spool.root != runtime.configuration.spool.root {
                throw ConfigurationError(problems: [.error("CONFIG_RELOAD_SPOOL", at: runtime.configPath,
                                                           "the spool folder cannot change on reload; restart ddexd to move it")])
            }
            if fresh.store != runtime.configuration.store || fresh.daemon.leaseSeconds != runtime.configuration.daemon.leaseSeconds {
                throw ConfigurationError(problems: [.error("CONFIG_RELOAD_STORE", at: runtime.configPath,
                                                           "[store] and [daemon] lease_seconds cannot change on reload; restart ddexd to apply them")])
            }
            runtime.replace(configuration: fresh)
            runtime.logger.notice("configuration reloaded", metadata: [
                "dsps": "\(fresh.enabledDSPs.map(\.name).joined(separator: ","))",
                "accounts": "\(fresh.accounts.keys.sorted().joined(separator: ","))",
            ])
            runtime.inboundWakeup.kick()
            runtime.dspSetChanged.kick()
            runtime.pollSetChanged.kick()
            runtime.kickDeliveries()
        } catch {
            runtime.logger.error("the new configuration is refused; the old one stays in force", metadata: ["error": "\(error)"])
        }
        notifier.ready(status: StatusService.statusLine(runtime))
    }
}
