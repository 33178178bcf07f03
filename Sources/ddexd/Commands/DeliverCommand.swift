import ArgumentParser
import DDEXConfig
import Delivery
import Foundation
import Logging
import Store

/// `ddexd deliver`: one pass that uploads everything queued (and due) and exits with a summary.
struct DeliverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Upload every queued delivery (one pass) and print a summary.",
        discussion: """
            Deliveries left half-done by a stopped process are resumed first. Each DSP gets up to its \
            max_sessions parallel connections. Exits 0 when nothing failed, 1 when a delivery failed or waits \
            for a retry, 2 when the spool is in use by a running daemon (which delivers by itself). On a \
            PostgreSQL store daemons may run meanwhile: the command works beside them under leases, leaving alone \
            the deliveries and session slots they hold.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this DSP profile.")
    var dsp: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let session = try SpoolSession(global, command: "deliver")
        defer { session.end() }
        let profiles = try session.profiles(named: dsp)
        let store = session.store.repositories.deliveries
        let logger = CommandLogging.logger(label: "ddexd.deliver")
        let leases = session.cluster?.leases
        let pass = DeliveryPass(store: store, makeTransport: TransportFactory.make, logger: logger, leases: leases)
        let resumed = try pass.recoverInterrupted(leases: leases)
        let summaries = pass.run(profiles: profiles)
        let output = DeliverOutput(resumed: resumed, dsps: summaries)
        switch format {
        case .json: print(try output.jsonString())
        case .text: print(output.text(store: store))
        }
        if summaries.values.contains(where: \.hasProblems) { throw ExitCode(1) }
    }
}

struct DeliverOutput: Encodable {
    var resumed: [Int64]
    var dsps: [String: DeliveryPass.Summary]

    func text(store: any DeliveryRepository) -> String {
        var lines: [String] = []
        if !resumed.isEmpty { lines.append("resumed \(resumed.count) interrupted deliver\(resumed.count == 1 ? "y" : "ies")") }
        for name in dsps.keys.sorted() {
            let s = dsps[name]!
            lines.append("\(name): \(s.completed.count) completed, \(s.retrying.count) waiting to retry, \(s.failed.count) failed")
            for id in s.retrying + s.failed {
                if let d = try? store.delivery(id) {
                    lines.append("  delivery \(id) (package \(d.packageId), batch \(d.batchId)): \(d.state.rawValue) — \(d.lastErrorCode ?? ""): \(d.lastErrorMessage ?? "")")
                }
            }
            if s.sessionsBusyElsewhere {
                lines.append("  skipped: deliveries are due but other instances hold every session slot of this DSP")
            }
            if let issue = s.dspError {
                lines.append("  \(issue.blocked ? "blocked" : "unreachable"): \(issue.message)")
            }
        }
        if dsps.values.allSatisfy({ $0.completed.isEmpty && $0.retrying.isEmpty && $0.failed.isEmpty && !$0.sessionsBusyElsewhere }) {
            lines.append("nothing to deliver")
        }
        return lines.joined(separator: "\n")
    }
}
