import ArgumentParser
import DDEXConfig
import DDEXModel
import Foundation
import Ledger
import Store

/// `ddexd statements --period P [--format json|csv|html] [--out DIR] [--final]`: royalty statements per payee,
/// account overviews and the unmatched lines report for one period.
struct StatementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statements",
        abstract: "Compute royalty statements for a period from the ingested sales reports.",
        discussion: """
        Periods use DSR syntax: 2026, 2026-Q4, 2026-10, 2026-W42, 2026-10-07, 2026-10-01--2026-10-31. A report counts \
        when its usage period lies inside. Amounts are exact to the micro-unit; the run stops with \
        LEDGER_INVARIANT_BROKEN rather than print figures that do not add up.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Statement period, e.g. 2026-10, 2026-Q4 or 2026-10-01--2026-10-31.")
    var period: String

    @Option(help: "Output format: json (dsrgen expected.json shape plus statements), csv or html.")
    var format: String = "json"

    @Option(help: "Output folder (default: <spool>/state/statements/<period>).")
    var out: String?

    @Flag(help: "Record what this run recouped, so the next period opens with these closing balances.")
    var final = false

    func validate() throws {
        guard StatementFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be json, csv or html, not '\(format)'")
        }
        do { _ = try StatementPeriod(parsing: period) } catch {
            throw ValidationError("--period \(error.description)")
        }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        let period = try StatementPeriod(parsing: self.period)
        let format = StatementFormat(rawValue: self.format) ?? .json
        let backend = try LedgerBackend.open(configuration)
        let engine = try LedgerEngine(settings: LedgerSettings(configuration: configuration), reference: backend.store.referenceData())
        let folder = out ?? configuration.spool.state + "/statements/" + period.description
        let set: StatementSet
        let files: [String]
        if format == .json {
            // Totals only: memory holds the payees and unmatched keys, never the lines.
            let result = try engine.run(period: period, input: backend.input, options: LedgerRunOptions(collectDetail: false))
            let (balances, problems) = try backend.store.openingBalances(for: period, currency: engine.settings.accountingCurrency)
            set = StatementSet(result: result, openingBalances: balances, problems: problems)
            files = try StatementWriter.write(set, format: format, to: folder, issuer: configuration.sender.name)
        } else {
            // The breakdown goes to a temporary SQL table, aggregated there and read back payee by payee.
            let breakdown = try SQLiteBreakdown(database: backend.database)
            engine.breakdownSink = breakdown
            let result = try engine.run(period: period, input: backend.input)
            try breakdown.finish(engine: engine)
            var previous: LedgerResult?
            if format == .html, let p = period.previous {
                engine.breakdownSink = DiscardedBreakdown()
                let earlier = try engine.run(period: p, input: backend.input)
                if earlier.summaryCount > 0 { previous = earlier }
            }
            let (balances, problems) = try backend.store.openingBalances(for: period, currency: engine.settings.accountingCurrency)
            set = StatementSet(result: result, openingBalances: balances, previous: previous, problems: problems)
            files = try BreakdownStatementWriter.write(set, breakdown: breakdown, format: format, to: folder,
                                                       issuer: configuration.sender.name)
        }
        if final { try backend.store.recordRecoupment(period: period, recouped: set.recouped) }

        let r = set.result
        let currency = r.accountingCurrency
        print("statements \(period): \(r.reportCount) report(s), \(r.summaryCount) summaries, \(r.lineCount) lines")
        print("  revenue \(r.total) \(currency), commission \(r.commission), unmatched \(r.unmatched) (\(r.unmatchedEntries.count) keys), unallocated \(r.unallocated)")
        print("  \(set.statements.count) payee statement(s) in \(folder) (\(files.count) file(s))\(final ? ", recoupment recorded" : "")")
        for problem in set.problems {
            FileHandle.standardError.write(Data((problem.description + "\n").utf8))
        }
    }
}

/// Where the ledger's data lives: the spool's SQLite store (catalogue, splits, advances, rates, recoupment)
/// and the DSR reports `ingest-dsr` loaded into it.
struct LedgerBackend {
    var database: Database
    var store: any LedgerStore
    var input: AnyLedgerInput

    static func open(_ configuration: Configuration) throws -> LedgerBackend {
        let path = configuration.spool.database
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let database = try Database.openMigrated(path: path, options: .scanning)
        return LedgerBackend(database: database, store: SQLiteLedgerStore(database: database),
                             input: AnyLedgerInput(try SQLiteLedgerInput(database: database, configuration: configuration)))
    }
}

/// The previous period's run feeds only the account overviews' comparison; its breakdown is not kept.
private final class DiscardedBreakdown: LedgerBreakdownSink {
    func record(payee: String, dsp: String, territory: String, releaseICPN: String, isrc: String, useType: String,
                usages: Int64, commission: Int64, net: Int64) {}
}
