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
            running daemon (which polls by itself). On a PostgreSQL store daemons may run meanwhile: a DSP's \
            acknowledgements or reports that another instance is polling are skipped (and said so). Set DDEXD_LOG_LEVEL=info to log each step on standard error.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Poll only this DSP (even when it is disabled).")
    var dsp: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let session = try SpoolSession(global, command: "poll")
        defer { session.end() }
        let profiles = try session.profiles(named: dsp)
        let pass = PollPass(repositories: session.store.repositories, archiveRoot: session.configuration.spool.archive,
                            makeTransport: TransportFactory.make, logger: CommandLogging.logger(label: "ddexd.poll"))
        var summaries: [String: DSPPollSummary] = [:]
        var busy: [String: [String]] = [:]
        for profile in profiles {
            let (scope, leased) = try Self.take(session.cluster, profile: profile)
            defer { for resource in leased { session.cluster?.giveBack(resource) } }
            if !scope.contains(.acks) { busy[profile.name, default: []].append("acknowledgements") }
            if !scope.contains(.reports), profile.dsrFolder != nil { busy[profile.name, default: []].append("reports") }
            if !scope.isEmpty { summaries[profile.name] = pass.run(profile: profile, scope: scope) }
        }
        let report = PollReport(dsps: summaries, busyElsewhere: busy)
        switch format {
        case .json: print(try report.jsonString())
        case .text: print(report.text(order: profiles.map(\.name)))
        }
        if report.failed { throw ExitCode(1) }
    }

    /// What of `profile` this command may poll: everything under the spool lock (`cluster` nil); on a shared store,
    /// the scopes whose lease (`poll:acks:<dsp>`, `poll:reports:<dsp>`, the daemon's) it could take, and those leases.
    static func take(_ cluster: CommandInstance?, profile: DSPProfile) throws -> (PollPass.Scope, [String]) {
        guard let cluster else { return (.all, []) }
        var scope: PollPass.Scope = []
        var leased: [String] = []
        for (part, prefix) in [(PollPass.Scope.acks, "poll:acks:"), (.reports, "poll:reports:")] {
            if part == .reports, profile.dsrFolder == nil { continue }
            if try cluster.take(prefix + profile.name) {
                scope.insert(part)
                leased.append(prefix + profile.name)
            }
        }
        return (scope, leased)
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
    /// What was skipped because another instance of the cluster is polling it, by DSP: `acknowledgements`, `reports`.
    var busyElsewhere: [String: [String]]
    var totals = Totals()
    var failed: Bool

    init(dsps: [String: DSPPollSummary], busyElsewhere: [String: [String]] = [:]) {
        self.dsps = dsps
        self.busyElsewhere = busyElsewhere
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
            let busy = busyElsewhere[name].map { "  skipped \($0.joined(separator: " and ")): another instance is polling them" }
            guard let s = dsps[name] else {
                if let busy { lines += ["\(name):", busy] }
                continue
            }
            lines.append("\(name):")
            if let busy { lines.append(busy) }
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
