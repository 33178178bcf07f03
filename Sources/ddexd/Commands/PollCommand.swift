import ArgumentParser
import DDEXConfig
import DDEXModel
import Delivery
import Foundation
import Logging
import Store

/// `ddexd poll [--dsp NAME]`: one pass of the acknowledgement and DSR pollers.
struct PollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Fetch acknowledgements and DSR sales reports from the DSPs' servers once.",
        discussion: """
            For every enabled DSP (or only --dsp): reads new ACK_*.xml files from each completed delivery's \
            acknowledgements/ folder and the profile's ack folder, archives them under <spool>/archive/acks/, and \
            moves the deliveries they name to acknowledged or rejected-by-dsp; then takes every DSR report in the \
            profile's DSR folder whose semaphore (.ctrl) and all parts are there, archives it under \
            <spool>/archive/dsr/, loads it, and keeps, deletes or moves it on the server as configured. Nothing is \
            applied or fetched twice. Exits 0 when nothing failed, 1 when something failed (an unreachable \
            server, an unreadable acknowledgement, a report that did not load), 2 when the spool is in use by a \
            running daemon (which polls by itself). Set DDEXD_LOG_LEVEL=info to log each step on standard error.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Poll only this DSP (even when it is disabled).")
    var dsp: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let session = try SpoolSession(global, command: "poll")
        defer { withExtendedLifetime(session) {} }
        let configuration = session.configuration
        let profiles = try session.profiles(named: dsp)
        let database = session.database
        let logger = CommandLogging.logger(label: "ddexd.poll")
        let pass = PollPass(database: database, archiveRoot: configuration.spool.archive, makeTransport: TransportFactory.make,
                            logger: logger)
        let summaries = pass.run(profiles: profiles)
        let report = PollReport(dsps: summaries)
        switch format {
        case .json: print(try report.jsonString())
        case .text: print(report.text(order: profiles.map(\.name)))
        }
        if report.failed { throw ExitCode(1) }
    }
}

/// The poll command's output.
struct PollReport: Encodable {
    struct Totals: Encodable {
        var acksApplied = 0
        var acksUnmatched = 0
        var acksInvalid = 0
        var reportFilesFetched = 0
        var reportsLoaded = 0
        var reportsFailed = 0
        var reportsWaiting = 0
        var errors = 0
    }

    var dsps: [String: DSPPollSummary]
    var totals = Totals()
    var failed: Bool

    init(dsps: [String: DSPPollSummary]) {
        self.dsps = dsps
        for s in dsps.values {
            totals.acksApplied += s.acks.applied.count
            totals.acksUnmatched += s.acks.unmatched.count
            totals.acksInvalid += s.acks.invalid.count
            totals.reportFilesFetched += s.reports.fetched.count
            totals.reportsLoaded += s.reports.loaded.count
            totals.reportsFailed += s.reports.failed.count
            totals.reportsWaiting += s.reports.waiting.count
            totals.errors += s.errors.count + s.acks.errors.count + s.reports.errors.count
        }
        failed = dsps.values.contains { $0.hasFailures }
    }

    func text(order: [String]) -> String {
        var lines: [String] = []
        for name in order {
            guard let s = dsps[name] else { continue }
            lines.append("\(name):")
            for e in s.errors { lines.append("  error    \(e.code): \(e.message)") }
            let a = s.acks
            lines.append("  acknowledgements: \(a.applied.count) applied, \(a.unmatched.count) unmatched, \(a.invalid.count) invalid"
                + (a.duplicates.isEmpty ? "" : ", \(a.duplicates.count) duplicate"))
            for item in a.applied {
                lines.append("    applied   \(item.remotePath) → delivery \(item.deliveries.map(String.init).joined(separator: ", ")): \(item.detail ?? "")")
            }
            for item in a.unmatched {
                lines.append("    unmatched \(item.remotePath)\(item.retried ? " (still)" : ""): \(item.detail ?? "") — kept as \(item.archivedPath ?? "?")")
            }
            for item in a.invalid { lines.append("    invalid   \(item.remotePath): \(item.detail ?? item.code ?? "")") }
            for e in a.errors { lines.append("    error     \(e.path): \(e.message)") }
            let r = s.reports
            lines.append("  reports: \(r.fetched.count) file(s) fetched, \(r.loaded.count) loaded, \(r.failed.count) failed, \(r.waiting.count) waiting")
            for item in r.loaded { lines.append("    loaded    \(item.report) as report \(item.reportId.map(String.init) ?? "?") (\(item.detail ?? ""))") }
            for item in r.failed { lines.append("    failed    \(item.report): \(item.detail ?? item.code ?? "")") }
            for item in r.waiting { lines.append("    waiting   \(item.report): \(item.detail ?? "")") }
            for e in r.ignored { lines.append("    ignored   \(e.path): \(e.code)") }
            for e in r.errors { lines.append("    error     \(e.path): \(e.message)") }
        }
        let t = totals
        lines.append("total: acknowledgements \(t.acksApplied) applied, \(t.acksUnmatched) unmatched, \(t.acksInvalid) invalid; "
            + "reports \(t.reportFilesFetched) file(s) fetched, \(t.reportsLoaded) loaded, \(t.reportsFailed) failed; \(t.errors) error(s)")
        return lines.joined(separator: "\n")
    }
}
