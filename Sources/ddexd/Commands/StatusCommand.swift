import ArgumentParser
import Daemon
import DDEXConfig
import Foundation

/// `ddexd status`: a readable summary of the status files under `Spool/status/`.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Summarise the daemon's status files (Spool/status/ddexd.json and packages/*.json).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "List every package, not only those not yet done.")
    var all = false

    func run() throws {
        let statusFolder: String
        if let spool = global.spool {
            statusFolder = URL(fileURLWithPath: spool).standardizedFileURL.path + "/status"
        } else {
            statusFolder = try global.loadConfiguration().spool.status
        }
        let writer = StatusWriter(folder: statusFolder)
        let daemon = try? writer.readDaemonStatus()
        let packages = (try? writer.readPackageStatuses()) ?? []
        if format == .json {
            struct Summary: Encodable { var daemon: DaemonStatus?; var packages: [PackageStatus] }
            print(try Summary(daemon: daemon, packages: packages).jsonString())
            return
        }
        print(StatusSummary.render(daemon: daemon, packages: packages, showAll: all, now: Date()))
        if daemon == nil { throw ExitCode(3) }
    }
}
