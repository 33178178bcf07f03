import DSR
import Foundation
import Store
#if canImport(Glibc)
import Glibc
#endif

/// `ddexd-bench dsr [--lines N] [--dir DIR] [--dsrgen PATH] [--skip-sqlite3] [--skip-gzip] [--parse-only]`
///
/// Uses a dsrgen report of N SU lines (default 10,000,000; generated into DIR if missing, which takes
/// minutes at that size, and a gzip copy of it made with `gzip -6` beside it) and measures, in one run, each
/// figure beside its reference:
/// 1. parse of the plain `.tsv` through `DSRReportReader.nextItem()` (the loader's path: every cell checked,
///    usage lines lent as views), physical lines per second and per CPU second; reference `wc -l` of the same
///    file (target ≥ 2,000,000 lines/s);
/// 2. parse of the `.tsv.gz` copy ÷ `zcat FILE > /dev/null` of it (target ≤ 1.3);
/// 3. the process's peak RSS after parsing (target ≤ 100 MB whatever N);
/// 4. full ingest into a fresh SQLite file with `DSRReportLoader`, divided by the time of
///    `sqlite3 DB '.mode tabs' '.import FILE t'` on the same TSV (target ≤ 1.2), and the peak RSS after it.
/// For an outside check of memory run it under `/usr/bin/time -v` and read "Maximum resident set size".
///
/// Run from the repository root with a release build: `swift build -c release --product ddexd-bench`.
func runDSRBenchmark(arguments: [String]) throws {
    var lines = 10_000_000
    var directory = FileManager.default.currentDirectoryPath + "/.build/bench-dsr"
    var dsrgen = defaultDSRGenerator
    var runSQLite = true
    var runGzip = true
    var parseOnly = false
    var index = 0
    func value() throws -> String {
        index += 1
        guard index < arguments.count else { throw BenchmarkError("\(arguments[index - 1]) needs a value") }
        return arguments[index]
    }
    while index < arguments.count {
        switch arguments[index] {
        case "--lines": lines = Int(try value()) ?? lines
        case "--dir": directory = try value()
        case "--dsrgen": dsrgen = try value()
        case "--skip-sqlite3": runSQLite = false
        case "--skip-gzip": runGzip = false
        case "--parse-only": parseOnly = true
        default: throw BenchmarkError("unknown argument \(arguments[index]); use --lines N --dir DIR --dsrgen PATH --skip-sqlite3 --skip-gzip --parse-only")
        }
        index += 1
    }

    let reportFolder = "\(directory)/lines-\(lines)"
    var files = try dsrFiles(in: reportFolder)
    if files.isEmpty {
        print("generating a \(lines)-line report in \(reportFolder) with dsrgen (minutes for 10M lines)…")
        try FileManager.default.createDirectory(atPath: reportFolder, withIntermediateDirectories: true)
        let started = Date()
        try runTool("python3", [dsrgen, "--out", reportFolder, "--lines", String(lines)], quiet: true)
        print(String(format: "  generated in %.1f s", Date().timeIntervalSince(started)))
        files = try dsrFiles(in: reportFolder)
    }
    let report = try onlyReport(files, in: reportFolder)
    let bytes = totalBytes(report)
    print("report: \(report.numberOfFiles) file(s), \(bytes / 1_048_576) MiB")

    // 1. Parse the plain report, beside wc -l of the same bytes.
    let plain = try timeParse(report)
    let wcSeconds = try timeTool("wc", ["-l"] + report.files.map(\.path))
    print(String(format: "parse .tsv:   %.2f s, %d lines (%d usage lines): %.0f lines/s, %.0f MiB/s; CPU %.2f s: %.0f lines per CPU second  (target ≥ 2,000,000 lines/s)",
                 plain.seconds, plain.lines, plain.usageLines, Double(plain.lines) / plain.seconds,
                 Double(bytes) / 1_048_576 / plain.seconds, plain.cpu, Double(plain.lines) / plain.cpu))
    print(String(format: "  reference wc -l: %.2f s (%.0f lines/s); parse ÷ wc -l = %.2f", wcSeconds,
                 Double(plain.lines) / wcSeconds, plain.seconds / wcSeconds))

    // 2. Parse a gzip copy, beside zcat of the same file.
    if runGzip {
        let gzipFolder = reportFolder + "-gzip"
        var gzipFiles = try dsrFiles(in: gzipFolder)
        if gzipFiles.isEmpty {
            print("compressing a copy into \(gzipFolder) with gzip -6…")
            try FileManager.default.createDirectory(atPath: gzipFolder, withIntermediateDirectories: true)
            for file in report.files {
                let target = "\(gzipFolder)/\(file.name.text).gz"
                try runShell("gzip -6 -n -c '\(file.path)' > '\(target).part' && mv '\(target).part' '\(target)'")
            }
            gzipFiles = try dsrFiles(in: gzipFolder)
        }
        let gzipReport = try onlyReport(gzipFiles, in: gzipFolder)
        let packed = try timeParse(gzipReport)
        let zcatSeconds = try timeShell("zcat " + gzipReport.files.map { "'\($0.path)'" }.joined(separator: " ") + " > /dev/null")
        print(String(format: "parse .tsv.gz: %.2f s (%d MiB compressed), %.0f lines/s; CPU %.2f s", packed.seconds,
                     totalBytes(gzipReport) / 1_048_576, Double(packed.lines) / packed.seconds, packed.cpu))
        print(String(format: "  reference zcat > /dev/null: %.2f s; parse ÷ zcat = %.2f  (target ≤ 1.3)", zcatSeconds,
                     packed.seconds / zcatSeconds))
    }
    print("peak RSS after parsing: \(peakRSSMegabytes()) MB  (target ≤ 100 MB)")
    if parseOnly { return }
    let physicalLines = plain.lines
    var clock: ContinuousClock.Instant
    var cpu: Double

    // 4. Full ingest into a new database.
    let databasePath = "\(directory)/ingest.sqlite"
    removeDatabase(databasePath)
    clock = ContinuousClock.now
    cpu = cpuSeconds()
    let database = try Database.openMigrated(path: databasePath)
    let result = try DSRReportLoader(database: database).load(report)
    let loadSeconds = seconds(since: clock)
    database.close()  // checkpoints the WAL into the database file
    let ingestSeconds = seconds(since: clock)
    let ingestCPU = cpuSeconds() - cpu
    print(String(format: "full ingest:  %.2f s, %d usage lines: %.0f lines/s", ingestSeconds, result.usageLineCount,
                 Double(physicalLines) / ingestSeconds))
    print(String(format: "              CPU %.2f s (user + system of this process); load %.2f s + WAL checkpoint on close %.2f s",
                 ingestCPU, loadSeconds, ingestSeconds - loadSeconds))

    // sqlite3's own TSV import of the same file(s), as the reference.
    if runSQLite {
        let referencePath = "\(directory)/reference.sqlite"
        removeDatabase(referencePath)
        let plain = report.files.filter { !$0.name.isGzip }.map(\.path)
        if plain.count == report.files.count {
            clock = ContinuousClock.now
            let childCPU = childCPUSeconds()
            for path in plain {
                try runTool("sqlite3", [referencePath, ".mode tabs", ".import \(path) t"], quiet: true)
            }
            let referenceSeconds = seconds(since: clock)
            let referenceCPU = childCPUSeconds() - childCPU
            print(String(format: "  reference sqlite3 .import: %.2f s, CPU %.2f s; ingest ÷ sqlite3 = %.2f wall, %.2f CPU  (target ≤ 1.2)",
                         referenceSeconds, referenceCPU, ingestSeconds / referenceSeconds, ingestCPU / referenceCPU))
        } else {
            print("sqlite3 .import: skipped (the report is gzip; generate it without --gzip to compare)")
        }
    }
    print("peak RSS after ingest: \(peakRSSMegabytes()) MB  (target ≤ 100 MB; check with /usr/bin/time -v)")
}

/// One timed pass of `DSRReportReader.nextItem()` over `report`.
private func timeParse(_ report: DSRReportFiles) throws -> (seconds: Double, cpu: Double, lines: Int, usageLines: Int) {
    let clock = ContinuousClock.now
    let cpu = cpuSeconds()
    let reader = DSRReportReader(report: report)
    var usageLines = 0
    while let item = try reader.nextItem() {
        if case .usage = item { usageLines += 1 }
    }
    let lines = reader.finishedFiles.reduce(0) { $0 + $1.lineCount }
    return (seconds(since: clock), cpuSeconds() - cpu, lines, usageLines)
}

func onlyReport(_ files: [String], in folder: String) throws -> DSRReportFiles {
    let grouped = DSRReportFiles.group(paths: files)
    guard grouped.rejected.isEmpty, let report = grouped.reports.first else {
        throw BenchmarkError("no complete report in \(folder): \(grouped.rejected)")
    }
    return report
}

func totalBytes(_ report: DSRReportFiles) -> Int64 {
    report.files.reduce(Int64(0)) { total, file in
        total + (((try? FileManager.default.attributesOfItem(atPath: file.path)[.size]) as? NSNumber)?.int64Value ?? 0)
    }
}

private func timeTool(_ tool: String, _ arguments: [String]) throws -> Double {
    let clock = ContinuousClock.now
    try runTool(tool, arguments, quiet: true)
    return seconds(since: clock)
}

private func runShell(_ command: String) throws { try runTool("/bin/sh", ["-c", command], quiet: true) }

private func timeShell(_ command: String) throws -> Double {
    let clock = ContinuousClock.now
    try runShell(command)
    return seconds(since: clock)
}

func dsrFiles(in folder: String) throws -> [String] {
    guard FileManager.default.fileExists(atPath: folder) else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: folder)
        .filter { $0.hasPrefix("DSR_") }.sorted().map { "\(folder)/\($0)" }
}

private func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

