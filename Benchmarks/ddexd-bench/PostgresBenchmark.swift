import DDEXConfig
import DSR
import Foundation
import Harness
import Ledger
import PostgresStore
import Store

/// `ddexd-bench postgres [--lines N] [--ledger-lines N] [--dir DIR] [--dsrgen PATH] [--skip-ingest] [--skip-ledger]`
///
/// The PostgreSQL store on a throw-away local server (`PostgresServer`: fsync off, as the reference gets it too),
/// each figure beside its reference in the same run:
/// 1. DSR ingest of a dsrgen report of N lines (default 1,000,000) with `PostgresDSRReportLoader`, divided by
///    `psql \copy` of the same report's usage lines into a plain table of text columns, no index (target ≤ 1.5);
///    the loader parses and checks every cell and writes four tables and their indexes, the ledger's ten-column one
///    among them. Peak RSS after it (bounded: it must not grow with N). A second reference isolates ddexd's share:
///    `psql \copy` of the rows it stored back into `dsr_usage_lines` (its indexes) of a fresh store, and a third the
///    floor for these rows: the same copy into a table of its columns with no index and no key.
/// 2. The statement run (JSON totals) over the ledger benchmark's report of M lines (default 10,000,000; generated
///    into the ledger benchmark's folder if missing, which takes minutes), loaded into PostgreSQL and into SQLite:
///    the run over PostgreSQL beside the run over SQLite, both checked with `dsrgen.py --verify`, and the run over
///    PostgreSQL again after `VACUUM` (what autovacuum does soon after a load: the lines then come from the index alone).
///
/// Run from the repository root with a release build: `swift build -c release --product ddexd-bench`.
func runPostgresBenchmark(arguments: [String]) throws {
    var lines = 1_000_000
    var ledgerLines = 10_000_000
    var directory = FileManager.default.currentDirectoryPath + "/.build/bench-dsr"
    var dsrgen = defaultDSRGenerator
    var runIngest = true
    var runLedger = true
    var index = 0
    func value() throws -> String {
        index += 1
        guard index < arguments.count else { throw BenchmarkError("\(arguments[index - 1]) needs a value") }
        return arguments[index]
    }
    while index < arguments.count {
        switch arguments[index] {
        case "--lines": lines = Int(try value()) ?? lines
        case "--ledger-lines": ledgerLines = Int(try value()) ?? ledgerLines
        case "--dir": directory = try value()
        case "--dsrgen": dsrgen = try value()
        case "--skip-ingest": runIngest = false
        case "--skip-ledger": runLedger = false
        default:
            throw BenchmarkError("unknown argument \(arguments[index]); use --lines N --ledger-lines N --dir DIR --dsrgen PATH --skip-ingest --skip-ledger")
        }
        index += 1
    }
    // No checkpoint in the middle of a measurement, for ddexd or for the reference.
    let server = try PostgresServer(options: PostgresServer.Options(extraConfiguration: ["max_wal_size = '16GB'", "shared_buffers = '256MB'"]))
    print("postgres: a throw-away server on \(server.host):\(server.port)")
    try StopCleanup.whileRunning(undo: { server.kill() }) {
        if runIngest { try benchmarkPostgresIngest(server: server, lines: lines, directory: directory, dsrgen: dsrgen) }
        if runLedger { try benchmarkPostgresStatements(server: server, lines: ledgerLines, dsrgen: dsrgen) }
    }
}

/// A fresh database of `server`, connected and migrated.
private func freshDatabase(_ name: String, on server: PostgresServer) throws -> PostgresDatabase {
    try server.createDatabase(name)
    return try PostgresDatabase(settings: PostgreSQLSettings(host: server.host, port: server.port, user: server.user, database: name,
                                                             passwordFile: server.passwordFile, poolSize: 4, tls: .disable))
}

private func benchmarkPostgresIngest(server: PostgresServer, lines: Int, directory: String, dsrgen: String) throws {
    let folder = "\(directory)/lines-\(lines)"
    if try dsrFiles(in: folder).isEmpty {
        print("postgres: generating a \(lines)-line report in \(folder) with dsrgen…")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try runTool("python3", [dsrgen, "--out", folder, "--lines", String(lines)], quiet: true)
    }
    let report = try onlyReport(try dsrFiles(in: folder), in: folder)
    guard report.files.allSatisfy({ !$0.name.isGzip }) else { throw BenchmarkError("\(folder) holds gzip files; \\copy needs plain ones") }

    let database = try freshDatabase("ingest", on: server)
    defer { database.close() }
    var clock = ContinuousClock.now
    let cpu = cpuSeconds()
    let result = try PostgresDSRReportLoader(database: database).load(report)
    let ingestSeconds = seconds(since: clock)
    print(String(format: "postgres: DSR ingest %.2f s, %d lines (%d usage lines): %.0f lines/s; CPU of ddexd %.2f s; peak RSS %d MB",
                 ingestSeconds, result.lineCount, result.usageLineCount, Double(result.lineCount) / ingestSeconds,
                 cpuSeconds() - cpu, peakRSSMegabytes()))

    // The reference: the same usage lines, cut out beforehand, copied by psql into a table of as many text columns.
    let usage = folder + "/usage-lines.tsv"
    try runTool("/bin/sh", ["-c", "grep -h '^SU' " + report.files.map { "'\($0.path)'" }.joined(separator: " ") + " > '\(usage)'"])
    let first = try String(contentsOfFile: usage, encoding: .utf8).prefix { $0 != "\n" }
    let columns = first.split(separator: "\t", omittingEmptySubsequences: false).indices.map { "c\($0) text" }
    try server.createDatabase("reference")
    try server.psqlOverTCP("CREATE TABLE usage_lines (\(columns.joined(separator: ", ")));", database: "reference")
    clock = ContinuousClock.now
    try server.psqlOverTCP("\\copy usage_lines FROM '\(usage)'", database: "reference")
    let copySeconds = seconds(since: clock)
    print(String(format: "  reference psql \\copy of the %d usage lines into a plain table: %.2f s; ingest ÷ \\copy = %.2f  (target ≤ 1.5)",
                 result.usageLineCount, copySeconds, ingestSeconds / copySeconds))

    // What the schema costs whoever writes the rows: the loaded usage lines copied back into dsr_usage_lines (its
    // primary key and the ledger's ten-column index) of a fresh store.
    let rows = folder + "/usage-rows.copy"
    try server.psqlOverTCP("\\copy dsr_usage_lines TO '\(rows)'", database: "ingest")
    let table = try freshDatabase("reference_table", on: server)
    table.close()
    clock = ContinuousClock.now
    try server.psqlOverTCP("\\copy dsr_usage_lines FROM '\(rows)'", database: "reference_table")
    let tableSeconds = seconds(since: clock)
    print(String(format: "  reference psql \\copy of the same rows into dsr_usage_lines with its indexes: %.2f s; ingest ÷ that = %.2f",
                 tableSeconds, ingestSeconds / tableSeconds))

    // The floor for anyone storing these rows: the same copy into a table of dsr_usage_lines' columns with no index
    // and no key at all, which no reader could use.
    try server.psqlOverTCP("CREATE TABLE bare_usage_lines (LIKE dsr_usage_lines);", database: "reference_table")
    clock = ContinuousClock.now
    try server.psqlOverTCP("\\copy bare_usage_lines FROM '\(rows)'", database: "reference_table")
    let bareSeconds = seconds(since: clock)
    print(String(format: "  reference psql \\copy of the same rows into a table of dsr_usage_lines' columns, no index, no key: %.2f s = %.2f × the plain \\copy (the floor for these rows)",
                 bareSeconds, bareSeconds / copySeconds))
}

private func benchmarkPostgresStatements(server: PostgresServer, lines: Int, dsrgen: String) throws {
    let dir = defaultLedgerReportFolder(lines: lines)
    try makeLedgerReport(in: dir, lines: lines, dsrgen: dsrgen)
    let grouped = DSRReportFiles.group(paths: try dsrFiles(in: dir))
    guard grouped.rejected.isEmpty else { throw BenchmarkError("dsrgen's files were rejected: \(grouped.rejected)") }

    let sqlitePath = dir + "/postgres-bench.sqlite"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath + suffix) }
    let sqlite = try Database.openMigrated(path: sqlitePath, options: .scanning)
    defer { sqlite.close() }
    let postgres = try freshDatabase("ledger", on: server)
    defer { postgres.close() }
    let sqliteStore = SQLiteLedgerStore(database: sqlite), postgresStore = PostgresLedgerStore(database: postgres)
    for (name, loader, store) in [("SQLite", DSRReportLoader(database: sqlite) as any DSRReportLoading, sqliteStore as any LedgerStore),
                                  ("PostgreSQL", PostgresDSRReportLoader(database: postgres), postgresStore)] {
        let clock = ContinuousClock.now
        for report in grouped.reports { _ = try loader.load(report) }
        for kind in LedgerImportKind.allCases where FileManager.default.fileExists(atPath: "\(dir)/\(kind.rawValue).csv") {
            try LedgerImport.importFile(kind, path: "\(dir)/\(kind.rawValue).csv", into: store, accountingCurrency: "EUR")
        }
        print("postgres: \(lines) lines loaded and CSVs imported into \(name) in \(format(seconds(since: clock)))")
    }
    let sqliteRun = try timeStatementRun("SQLite", store: sqliteStore, input: SQLiteLedgerInput(database: sqlite), dir: dir, dsrgen: dsrgen)
    let postgresRun = try timeStatementRun("PostgreSQL", store: postgresStore, input: PostgresLedgerInput(database: postgres),
                                           dir: dir, dsrgen: dsrgen)
    print(String(format: "postgres: statement run over PostgreSQL ÷ over SQLite = %.2f", postgresRun / sqliteRun))
    // Right after a load the visibility map is not set yet and every line is checked in the heap; once
    // (auto)vacuum has run, the ledger's index alone serves the lines.
    _ = try postgres.withSession { try $0.execute("VACUUM (ANALYZE) dsr_usage_lines") }
    let vacuumed = try timeStatementRun("PostgreSQL after VACUUM", store: postgresStore, input: PostgresLedgerInput(database: postgres),
                                        dir: dir, dsrgen: dsrgen)
    print(String(format: "postgres: after VACUUM, statement run over PostgreSQL ÷ over SQLite = %.2f", vacuumed / sqliteRun))
}

/// One JSON statement run (totals, opening balances, JSON) over `input`, checked with `dsrgen.py --verify`; its wall time.
private func timeStatementRun(_ name: String, store: any LedgerStore, input: some LedgerInput, dir: String, dsrgen: String) throws -> Double {
    let period = try StatementPeriod(parsing: "2020-06")
    let settings = LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1500))
    let clock = ContinuousClock.now
    let cpu = cpuSeconds()
    let engine = try LedgerEngine(settings: settings, reference: store.referenceData())
    let result = try engine.run(period: period, input: input, options: LedgerRunOptions(collectDetail: false))
    let (balances, _) = try store.openingBalances(for: period, currency: "EUR")
    let json = try SummaryJSONRenderer.render(StatementSet(result: result, openingBalances: balances))
    let elapsed = seconds(since: clock)
    let actual = dir + "/postgres-bench-\(name.replacingOccurrences(of: " ", with: "-")).json"
    try json.write(to: URL(fileURLWithPath: actual))
    let check = try runTool("python3", [dsrgen, "--verify", dir + "/expected.json", "--actual", actual])
    print(String(format: "postgres: statement run over %@, %d lines, %d summaries: %.2f s wall, %.2f s CPU of ddexd, %.0f lines/s, peak RSS %d MB; dsrgen --verify: %@",
                 name, result.lineCount, result.summaryCount, elapsed, cpuSeconds() - cpu, Double(result.lineCount) / elapsed,
                 peakRSSMegabytes(), String(check.split(separator: "\n").last ?? "")))
    return elapsed
}
