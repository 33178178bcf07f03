import DSR
import Foundation
import Store
#if canImport(Glibc)
import Glibc
#endif

/// `ddexd-bench dsr [--lines N] [--dir DIR] [--dsrgen PATH] [--skip-sqlite3] [--parse-only]`
///
/// Uses a dsrgen report of N SU lines (default 10,000,000; generated into DIR if missing, which takes
/// minutes at that size) and measures, in one run:
/// 1. parse only: physical lines per second through `DSRReportReader` (target ≥ 1,000,000/s);
/// 2. full ingest into a fresh SQLite file with `DSRReportLoader`, divided by the time of
///    `sqlite3 DB '.mode tabs' '.import FILE t'` on the same TSV (target ≤ 1.5);
/// 3. the process's peak RSS so far (target ≤ 100 MB whatever N). For an outside check run it under
///    `/usr/bin/time -v .build/release/ddexd-bench dsr --lines N` and read "Maximum resident set size".
///
/// Run from the repository root with a release build: `swift build -c release --product ddexd-bench`.
func runDSRBenchmark(arguments: [String]) throws {
    var lines = 10_000_000
    var directory = FileManager.default.currentDirectoryPath + "/.build/bench-dsr"
    var dsrgen = defaultDSRGenerator
    var runSQLite = true
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
        case "--parse-only": parseOnly = true
        default: throw BenchmarkError("unknown argument \(arguments[index]); use --lines N --dir DIR --dsrgen PATH --skip-sqlite3 --parse-only")
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
    let grouped = DSRReportFiles.group(paths: files)
    guard grouped.rejected.isEmpty, let report = grouped.reports.first else {
        throw BenchmarkError("no complete report in \(reportFolder): \(grouped.rejected)")
    }
    let bytes = report.files.reduce(Int64(0)) { total, file in
        total + (((try? FileManager.default.attributesOfItem(atPath: file.path)[.size]) as? NSNumber)?.int64Value ?? 0)
    }
    print("report: \(report.numberOfFiles) file(s), \(bytes / 1_048_576) MiB")

    // 1. Parse only.
    var clock = ContinuousClock.now
    var cpu = cpuSeconds()
    let reader = DSRReportReader(report: report)
    var usageLines = 0
    while let event = try reader.next() {
        if case .usage = event { usageLines += 1 }
    }
    let parseSeconds = seconds(since: clock)
    let parseCPU = cpuSeconds() - cpu
    let physicalLines = reader.finishedFiles.reduce(0) { $0 + $1.lineCount }
    print(String(format: "parse only:   %.2f s, %d lines (%d usage lines): %.0f lines/s, %.0f MiB/s  (target ≥ 1,000,000 lines/s)",
                 parseSeconds, physicalLines, usageLines, Double(physicalLines) / parseSeconds,
                 Double(bytes) / 1_048_576 / parseSeconds))
    print(String(format: "              CPU %.2f s: %.0f lines per CPU second (the machine may be shared)", parseCPU,
                 Double(physicalLines) / parseCPU))
    if parseOnly { return }

    // 2. Full ingest into a new database.
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

    // 3. sqlite3's own TSV import of the same file(s), as the reference.
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
            print(String(format: "sqlite3 .import: %.2f s, CPU %.2f s; ingest ÷ sqlite3 = %.2f wall, %.2f CPU  (target ≤ 1.5)",
                         referenceSeconds, referenceCPU, ingestSeconds / referenceSeconds, ingestCPU / referenceCPU))
        } else {
            print("sqlite3 .import: skipped (the report is gzip; generate it without --gzip to compare)")
        }
    }
    print("peak RSS of this process: \(peakRSSMegabytes()) MB  (target ≤ 100 MB; check with /usr/bin/time -v)")
}

private func dsrFiles(in folder: String) throws -> [String] {
    guard FileManager.default.fileExists(atPath: folder) else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: folder)
        .filter { $0.hasPrefix("DSR_") }.sorted().map { "\(folder)/\($0)" }
}

private func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

