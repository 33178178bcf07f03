import ArgumentParser
import Daemon
import DDEXConfig
import DDEXModel
import Foundation
import Logging
import Store

/// `ddexd run`: the daemon, in the foreground (systemd runs it as `Type=notify`).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: watch inbound folders, validate, bundle, deliver, poll acknowledgements and reports.",
        discussion: """
            Logs one line per event on standard error (journald-friendly under systemd). SIGTERM or SIGINT stop \
            it gracefully within [daemon] shutdown_timeout_seconds; SIGHUP reloads the configuration (a broken \
            new configuration is refused and the old one stays in force). Exits 2 when another ddexd works on \
            the same spool.
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let configuration = try global.loadConfiguration()
        var logger = Logger(label: "ddexd") { LineLogHandler(label: $0, stream: .standardError) }
        logger.logLevel = LineLogHandler.level(fromEnvironment: "DDEXD_LOG_LEVEL") ?? Logger.Level(rawValue: configuration.daemon.logLevel) ?? .info
        let instance = InstanceRecord.current(version: Daemon.version)
        let lock: SpoolLock
        do {
            lock = try SpoolLock.taking(for: configuration, instance: instance.id)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        defer { withExtendedLifetime(lock) {} }
        for folder in [configuration.spool.inbound, configuration.spool.work, configuration.spool.outbound,
                       configuration.spool.archive, configuration.spool.rejected, configuration.spool.status + "/packages"]
        {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let store: StoreConnection
        do {
            store = try StoreConnection(configuration, logger: logger)
        } catch {
            logger.critical("cannot open the store", metadata: ["code": "\((error as? any CodedError)?.code ?? "STORE_OPEN")", "error": "\(error)"])
            throw ExitCode(1)
        }
        let runtime = DaemonRuntime(configuration: configuration, repositories: store.repositories, store: store.sqlite,
                                    catalogue: store.catalogue, instance: instance,
                                    leaseSeconds: Double(configuration.daemon.leaseSeconds),
                                    configPath: global.configPath, spoolOverride: global.spool, logger: logger)
        try await Daemon(runtime: runtime).run()
    }
}
