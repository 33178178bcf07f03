import DDEXModel
import DSR
import Foundation
import Ledger
import Store

/// `ddexd-bench ledger [--lines N] [--releases R] [--dir DIR] [--seed S] [--files F] [--gzip] [--keep-db] [--json-only] [--dsrgen PATH]`
///
/// The ledger over the SQLite store at scale. Generates a dsrgen report of N lines (default 10,000,000; use
/// `--lines 1000000` for a quick run) with the negative and zero-usage summaries and about 5,000 payees (R
/// releases, default N / 600), unless DIR already holds one; loads it with the store's DSR loader (the code
/// `ddexd ingest-dsr` runs) into DIR/ledger-bench.sqlite (kept and reused with `--keep-db`), imports the CSVs
/// into the SQLite ledger store, then times the statement run (totals, opening balances, JSON) and checks it
/// with `dsrgen.py --verify` (target ≤ 5 s at 10M lines), beside its reference in the same run: `sqlite3` scanning
/// the same lines through the same covering index (`sum(usages)` and `count(isrc)`, the least any run over the
/// store reads). Unless `--json-only`, then times the runs that keep the per-payee breakdown and write the CSV
/// statements (target ≤ 6 s) and the HTML statements, every page (target ≤ 10 s). Reports wall and CPU times
/// (the run reads on two threads), the memory the run allocated and the process's peak RSS.
func runLedgerBenchmark(arguments: [String]) throws {
    var lines = 10_000_000
    var releases: Int?
    var folder: String?
    var seed = 1
    var files = 1
    var gzip = false
    var keepDatabase = false
    var withBreakdown = true
    var dsrgen = defaultDSRGenerator
    var i = 0
    func value() throws -> String {
        i += 1
        guard i < arguments.count else { throw BenchmarkError("\(arguments[i - 1]) needs a value") }
        return arguments[i]
    }
    func number() throws -> Int {
        let text = try value()
        guard let n = Int(text), n > 0 else { throw BenchmarkError("\(arguments[i - 1]) needs a positive number, not '\(text)'") }
        return n
    }
    while i < arguments.count {
        switch arguments[i] {
        case "--lines": lines = try number()
        case "--releases": releases = try number()
        case "--dir": folder = try value()
        case "--seed": seed = try number()
        case "--files": files = try number()
        case "--gzip": gzip = true
        case "--keep-db": keepDatabase = true
        case "--json-only": withBreakdown = false
        case "--dsrgen": dsrgen = try value()
        default:
            throw BenchmarkError("unknown option \(arguments[i]); use --lines N --releases R --dir DIR --seed S --files F --gzip --keep-db --json-only --dsrgen PATH")
        }
        i += 1
    }

    let dir = folder ?? defaultLedgerReportFolder(lines: lines)
    try makeLedgerReport(in: dir, lines: lines, releases: releases, seed: seed, files: files, gzip: gzip, dsrgen: dsrgen)

    let path = dir + "/ledger-bench.sqlite"
    if !keepDatabase {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let database = try Database.openMigrated(path: path, options: .scanning)
    let reports = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("DSR_") }.map { dir + "/" + $0 }
    var t = ContinuousClock.now
    let loader = DSRReportLoader(database: database)
    let grouped = DSRReportFiles.group(paths: reports)
    guard grouped.rejected.isEmpty else { throw BenchmarkError("dsrgen's files were rejected: \(grouped.rejected)") }
    var usageLines = 0
    for report in grouped.reports {
        let result = try loader.load(report)
        usageLines += result.usageLineCount
    }
    print("ledger: ingest (store loader) \(usageLines) usage lines \(format(seconds(since: t))), peak RSS \(peakRSSMegabytes()) MB")

    t = ContinuousClock.now
    let store = SQLiteLedgerStore(database: database)
    for kind in LedgerImportKind.allCases where FileManager.default.fileExists(atPath: "\(dir)/\(kind.rawValue).csv") {
        try LedgerImport.importFile(kind, path: "\(dir)/\(kind.rawValue).csv", into: store, accountingCurrency: "EUR")
    }
    print("ledger: CSV import into SQLite \(format(seconds(since: t))), peak RSS \(peakRSSMegabytes()) MB")

    let period = try StatementPeriod(parsing: "2020-06")
    let settings = LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1500))
    let rssBefore = residentMegabytes()
    let anonBefore = residentMegabytes("RssAnon")
    let fileBefore = residentMegabytes("RssFile")
    t = ContinuousClock.now
    let cpuBefore = cpuSeconds()
    let engine = try LedgerEngine(settings: settings, reference: store.referenceData())
    let indexes = seconds(since: t)
    let input = try SQLiteLedgerInput(database: database)
    let result = try engine.run(period: period, input: input, options: LedgerRunOptions(collectDetail: false))
    let (balances, _) = try store.openingBalances(for: period, currency: "EUR")
    let set = StatementSet(result: result, openingBalances: balances)
    let json = try SummaryJSONRenderer.render(set)
    let elapsed = seconds(since: t)
    let cpu = cpuSeconds() - cpuBefore
    print("ledger: statement run over SQLite \(result.lineCount) lines, \(result.summaryCount) summaries, \(set.statements.count) payees: \(format(elapsed)) wall, \(format(cpu)) CPU (reference data and indexes \(format(indexes))), \(String(format: "%.0f", Double(result.lineCount) / elapsed)) lines/s, RSS +\(residentMegabytes() - rssBefore) MB (allocated +\(residentMegabytes("RssAnon") - anonBefore) MB, memory-mapped store +\(residentMegabytes("RssFile") - fileBefore) MB), peak RSS \(peakRSSMegabytes()) MB")
    let actual = dir + "/ledger-actual.json"
    try json.write(to: URL(fileURLWithPath: actual))
    let check = try runTool("python3", [dsrgen, "--verify", dir + "/expected.json", "--actual", actual])
    print("ledger: dsrgen --verify: \(check.split(separator: "\n").last ?? "")")
    database.close()
    t = ContinuousClock.now
    let scan = try runTool("sqlite3", [path, "SELECT sum(usages), count(isrc) FROM dsr_usage_lines INDEXED BY dsr_usage_lines_for_ledger WHERE report_id > 0"])
    let scanSeconds = seconds(since: t)
    print("ledger: reference sqlite3 scan of the same lines (\(scan.trimmingCharacters(in: .whitespacesAndNewlines))): \(format(scanSeconds)); statement run ÷ scan = \(String(format: "%.2f", elapsed / scanSeconds))  (target: run ≤ 5 s)")
    guard withBreakdown else { return }
    try runBreakdowns(path: path, dir: dir, engine: engine, period: period, balances: balances)
}

/// The CSV and HTML statements, each from its own run keeping the compact breakdown.
private func runBreakdowns(path: String, dir: String, engine: LedgerEngine, period: StatementPeriod,
                           balances: [String: MicroAmount]) throws {
    let database = try Database.openMigrated(path: path, options: .scanning)
    let input = try SQLiteLedgerInput(database: database)
    for (kind, target) in [(StatementFormat.csv, "6"), (.html, "10")] {
        let rssBeforeBreakdown = residentMegabytes("RssAnon")
        let t = ContinuousClock.now
        let cpuBefore = cpuSeconds()
        let detailed = try engine.run(period: period, input: input, options: LedgerRunOptions(collectDetail: true, linesInResult: false))
        let runTime = seconds(since: t)
        let detailedSet = StatementSet(result: detailed, openingBalances: balances)
        // A new folder, as a new period's statements get; the previous run's is removed after the timing (ext4 slows
        // down creating files right after deleting thousands).
        let folder = dir + "/ledger-" + kind.rawValue + "-" + String(Int(Date().timeIntervalSince1970))
        let earlier = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.hasPrefix("ledger-" + kind.rawValue) } ?? []
        let files = try StatementWriter.write(detailedSet, format: kind, to: folder)
        defer { for name in earlier { try? FileManager.default.removeItem(atPath: dir + "/" + name) } }
        print("ledger: statement run with breakdown (\(kind.rawValue.uppercased()), \(files.count) files): \(format(seconds(since: t))) wall, \(format(cpuSeconds() - cpuBefore)) CPU (run \(format(runTime)), \(detailed.breakdown?.rowCount ?? 0) rows), allocated +\(residentMegabytes("RssAnon") - rssBeforeBreakdown) MB, peak RSS \(peakRSSMegabytes()) MB  (target ≤ \(target) s)")
    }
}

/// Where the ledger benchmarks keep the report of `lines` lines they generate.
func defaultLedgerReportFolder(lines: Int) -> String { NSTemporaryDirectory() + "ddexd-ledger-bench-\(lines)" }

/// The ledger benchmarks' report in `dir`, unless it is there already: dsrgen's report of `lines` lines with the
/// negative and zero-usage summaries and about 5,000 payees (`releases`, default lines / 600), and its CSVs.
func makeLedgerReport(in dir: String, lines: Int, releases: Int? = nil, seed: Int = 1, files: Int = 1, gzip: Bool = false,
                      dsrgen: String) throws
{
    guard !FileManager.default.fileExists(atPath: dir + "/expected.json") else {
        print("ledger: using the dsrgen output in \(dir)")
        return
    }
    var options = ["--out", dir, "--lines", String(lines), "--seed", String(seed), "--files", String(files),
                   "--releases", String(releases ?? max(2, lines / 600)), "--negative-summary", "--zero-usage-summary"]
    if gzip { options.append("--gzip") }
    let t = ContinuousClock.now
    try runTool("python3", [dsrgen] + options, quiet: true)
    print("ledger: dsrgen wrote \(dir) in \(format(seconds(since: t)))")
}

func format(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }

/// A resident-memory figure of this process from /proc/self/status, in MB: `VmRSS` (all), `RssAnon`
/// (heap and stacks: what the process allocated) or `RssFile` (mapped file pages, e.g. the memory-mapped
/// store: clean page cache the kernel reclaims at will).
private func residentMegabytes(_ key: String = "VmRSS") -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return 0 }
    return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) / 1024
}
