import ArgumentParser
import Daemon
import DDEXConfig
import Foundation
import Logging

/// `ddexd status`: a readable summary of the status files under `Spool/status/`; with `--cluster`, of the store
/// every instance shares.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Summarise the daemon's status files (Spool/status/ddexd.json and packages/*.json).",
        discussion: """
            Instances sharing a PostgreSQL store write one daemon status file each (ddexd-<instance>.json); without             ddexd.json the newest of those is shown. --cluster reads the store instead: every instance with its             heartbeat and the work it holds, each DSP's queue, and the deliveries that failed.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "List every package, not only those not yet done.")
    var all = false

    @Flag(help: "Read the store shared by every instance: instances, their heartbeat and leases, queues, failures.")
    var cluster = false

    func run() throws {
        if cluster { return try runCluster() }
        let statusFolder: String
        if let spool = global.spool {
            statusFolder = URL(fileURLWithPath: spool).standardizedFileURL.path + "/status"
        } else {
            statusFolder = try global.loadConfiguration().spool.status
        }
        let writer = StatusWriter(folder: statusFolder)
        let daemon = (try? writer.readDaemonStatus()) ?? writer.readInstanceStatuses().first
        let packages = (try? writer.readPackageStatuses()) ?? []
        if format == .json {
            struct Summary: Encodable { var daemon: DaemonStatus?; var packages: [PackageStatus] }
            print(try Summary(daemon: daemon, packages: packages).jsonString())
            return
        }
        print(StatusSummary.render(daemon: daemon, packages: packages, showAll: all, now: Date()))
        if daemon == nil { throw ExitCode(3) }
    }

    private func runCluster() throws {
        let configuration = try global.loadConfiguration()
        let store = try StoreConnection(configuration, logger: Logger(label: "ddexd.status"), migrate: false)
        defer { store.close() }
        let report = try ClusterReport(repositories: store.repositories)
        print(format == .json ? try report.jsonString() : report.render())
    }
}
