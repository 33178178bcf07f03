import ArgumentParser
import DDEXConfig
import DDEXModel
import Foundation
import Ledger
import Store

/// `ddexd statements --period P [--account NAME] [--format json|csv|html] [--out DIR] [--final]`: royalty statements
/// per payee, account overviews and the unmatched lines report for one period. Without `--account`, the
/// distributor's statements go into the folder and each account's own into `<folder>/<account>/`; with it, only
/// that account's (its payees, its lines' totals, its commission), never another account's lines.
struct StatementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statements",
        abstract: "Compute royalty statements for a period from the ingested sales reports.",
        discussion: """
        Periods use DSR syntax: 2026, 2026-Q4, 2026-10, 2026-W42, 2026-10-07, 2026-10-01--2026-10-31. A report counts \
        when its usage period lies inside. Amounts are exact to the micro-unit; the run stops with \
        LEDGER_INVARIANT_BROKEN rather than print figures that do not add up. Without --account, the distributor's \
        statements (every account's figures, unmatched and unallocated amounts) go into the output folder and each \
        account's own statements into <out>/<account>/; with --account, only that account's. On a PostgreSQL store \
        a --final run holds the lease statements:<period>: a second final run of the same period meanwhile is refused \
        (exit 2).
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Statement period, e.g. 2026-10, 2026-Q4 or 2026-10-01--2026-10-31.", transform: StatementPeriod.argument)
    var period: StatementPeriod

    @Option(help: "Output format: json (dsrgen expected.json shape plus statements), csv or html.")
    var format: StatementFormat = .json

    @Option(help: "Output folder (default: <spool>/state/statements/<period>, and /<account> with --account).")
    var out: String?

    @Option(help: "Only this account's statements: its payees, its lines' totals and its commission.")
    var account: String?

    @Flag(help: "Record what this run recouped, so the next period opens with these closing balances.")
    var final = false

    func run() throws {
        let configuration = try global.loadConfiguration()
        let connection = try StoreConnection(configuration, logger: CommandLogging.logger(label: "ddexd.statements"))
        defer { connection.close() }
        let finalRun = try claimFinalRun(connection, configuration: configuration)
        defer { finalRun?.leave() }
        let backend = try connection.ledger(configuration)
        let engine = try LedgerEngine(settings: LedgerSettings(configuration: configuration), reference: backend.store.referenceData())
        let folder = out ?? configuration.spool.state + "/statements/" + period.description + (account.map { "/" + $0 } ?? "")
        let set: StatementSet
        var files: [String] = []
        // One set per folder: the account's alone, or the distributor's and then every account's below it.
        func targets(_ whole: StatementSet) throws -> [(StatementSet, String)] {
            if let account { return [(try whole.restricted(to: account), folder)] }
            return [(whole, folder)] + (try whole.accountNames.map { (try whole.restricted(to: $0), folder + "/" + $0) })
        }
        // JSON keeps totals only (memory: the payees and unmatched keys); CSV and HTML keep the compact breakdown.
        let result = try engine.run(period: period, input: backend.input,
                                    options: LedgerRunOptions(collectDetail: format != .json, linesInResult: false))
        var previous: LedgerResult?
        if format == .html, let p = period.previous {
            let earlier = try engine.run(period: p, input: backend.input, options: LedgerRunOptions(linesInResult: false))
            if earlier.summaryCount > 0 { previous = earlier }
        }
        let (balances, problems) = try backend.store.openingBalances(for: period, currency: engine.settings.accountingCurrency)
        set = StatementSet(result: result, openingBalances: balances, previous: previous, problems: problems)
        for (part, target) in try targets(set) {
            files += try StatementWriter.write(part, format: format, to: target, issuer: configuration.sender.name)
        }
        // Recoupment is recorded for the whole ledger only: one account's run must not close the others' balances.
        if final, account == nil { try backend.store.recordRecoupment(period: period, recouped: set.recouped) }
        if final, account != nil {
            FileHandle.standardError.write(Data("--final with --account records nothing: run it without --account to close the period for every account\n".utf8))
        }

        let shown = try account.map { try set.restricted(to: $0) } ?? set
        let r = shown.result
        let currency = r.accountingCurrency
        print("statements \(period): \(r.reportCount) report(s), \(r.summaryCount) summaries, \(r.lineCount) lines")
        print("  \(account.map { "account \($0): " } ?? "")revenue \(r.total) \(currency), commission \(r.commission), unmatched \(r.unmatched) (\(r.unmatchedEntries.count) keys), unallocated \(r.unallocated)")
        print("  \(shown.statements.count) payee statement(s) in \(folder) (\(files.count) file(s))\(final && account == nil ? ", recoupment recorded" : "")")
        if account == nil, set.accountNames.count > 0 {
            print("  accounts: " + set.result.accountFigures.map { "\($0.account) \($0.total) (\($0.lines) lines)" }.joined(separator: ", "))
        }
        for problem in shown.problems {
            FileHandle.standardError.write(Data((problem.description + "\n").utf8))
        }
    }

    /// On a shared store, a final run for the whole ledger takes the lease `statements:<period>` (as an instance of
    /// the cluster), so two operators never compute and record the same period's recoupment at once; exit 2 when
    /// another holds it. Nil when there is nothing to claim (SQLite, a draft run, one account's run).
    private func claimFinalRun(_ connection: StoreConnection, configuration: Configuration) throws -> CommandInstance? {
        guard final, account == nil, connection.isShared else { return nil }
        let instance = try CommandInstance(cluster: connection.repositories.cluster, leaseSeconds: configuration.daemon.leaseSeconds)
        let resource = "statements:\(period)"
        guard try instance.take(resource) else {
            let holder = (try? connection.repositories.cluster.lease(resource))?.holder ?? "another instance"
            instance.leave()
            FileHandle.standardError.write(Data("ddexd statements: a final run of \(period) is under way (lease \(resource) held by \(holder)); try again when it has finished\n".utf8))
            throw ExitCode(2)
        }
        return instance
    }
}
