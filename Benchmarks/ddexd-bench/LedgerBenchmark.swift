import DDEXModel
import Foundation
import Ledger

/// `ddexd-bench ledger [--lines N] [--dir DIR] [--seed S] [--files F] [--gzip] [--dsrgen PATH]`
///
/// Generates a dsrgen report of N lines (with the negative and zero-usage summaries) unless `--dir` names a
/// folder dsrgen already wrote, imports its CSVs, loads the DSR files with the test adapter (standing in
/// for the store's ingest), then times statement runs: totals only, and with the full statement breakdown.
/// Each result is checked against dsrgen's oracle with `dsrgen.py --verify`. Reports wall time and peak RSS.
func runLedgerBenchmark(arguments: [String]) throws {
    var lines = 1_000_000
    var folder: String?
    var seed = 1
    var files = 1
    var gzip = false
    var dsrgen = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/tools/dsrgen.py").path
    var i = 0
    func value() throws -> String {
        i += 1
        guard i < arguments.count else { throw LedgerBenchmarkError.usage("\(arguments[i - 1]) needs a value") }
        return arguments[i]
    }
    while i < arguments.count {
        switch arguments[i] {
        case "--lines": lines = Int(try value()) ?? lines
        case "--dir": folder = try value()
        case "--seed": seed = Int(try value()) ?? seed
        case "--files": files = Int(try value()) ?? files
        case "--gzip": gzip = true
        case "--dsrgen": dsrgen = try value()
        default: throw LedgerBenchmarkError.usage("unknown option \(arguments[i]); use --lines N --dir DIR --seed S --files F --gzip --dsrgen PATH")
        }
        i += 1
    }

    let dir: String
    if let folder, FileManager.default.fileExists(atPath: folder + "/expected.json") {
        dir = folder
        print("ledger: using \(dir)")
    } else {
        dir = folder ?? NSTemporaryDirectory() + "ddexd-ledger-bench-\(lines)"
        var options = ["--out", dir, "--lines", String(lines), "--seed", String(seed), "--files", String(files),
                       "--negative-summary", "--zero-usage-summary"]
        if gzip { options.append("--gzip") }
        let t = Date()
        let status = try runPython([dsrgen] + options)
        guard status == 0 else { throw LedgerBenchmarkError.failed("dsrgen exited with \(status)") }
        print("ledger: dsrgen wrote \(dir) in \(seconds(since: t))")
    }

    var t = Date()
    let store = InMemoryLedgerStore()
    for kind in LedgerImportKind.allCases {
        try LedgerImport.importFile(kind, path: "\(dir)/\(kind == .catalog ? "catalog" : kind.rawValue).csv", into: store,
                                    accountingCurrency: "EUR")
    }
    print("ledger: CSV import \(seconds(since: t)), peak RSS \(peakRSS())")

    t = Date()
    let input = try DSRFlatFileInput(folder: dir, dsp: "spotify")
    print("ledger: DSR load (test adapter, stands in for the store's ingest) \(input.lineCount) lines \(seconds(since: t)), peak RSS \(peakRSS())")

    t = Date()
    let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1500)),
                                  reference: store.referenceData())
    print("ledger: engine indexes \(seconds(since: t)), peak RSS \(peakRSS())")

    let period = try StatementPeriod(parsing: "2020-06")
    let (balances, _) = try store.openingBalances(for: period, currency: "EUR")
    for detail in [false, true] {
        let rssBefore = currentRSS()
        t = Date()
        let result = try engine.run(period: period, input: input, options: LedgerRunOptions(collectDetail: detail))
        let set = StatementSet(result: result, openingBalances: balances)
        let elapsed = seconds(since: t)
        let rows = result.payees.reduce(0) { $0 + $1.lines.count }
        print("ledger: statement run (\(detail ? "with breakdown, \(rows) rows" : "totals only")) \(result.lineCount) lines, \(set.statements.count) payees: \(elapsed), RSS +\(format(currentRSS() - rssBefore)), peak RSS \(peakRSS())")
        let actual = dir + "/ledger-actual.json"
        try SummaryJSONRenderer.render(set).write(to: URL(fileURLWithPath: actual))
        let status = try runPython([dsrgen, "--verify", dir + "/expected.json", "--actual", actual])
        guard status == 0 else { throw LedgerBenchmarkError.failed("dsrgen --verify found mismatches") }
    }
}

enum LedgerBenchmarkError: Error, CustomStringConvertible {
    case usage(String)
    case failed(String)

    var description: String {
        switch self {
        case .usage(let s): "usage: \(s)"
        case .failed(let s): s
        }
    }
}

private func runPython(_ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

private func seconds(since start: Date) -> String {
    String(format: "%.2f s", Date().timeIntervalSince(start))
}

private func format(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

/// VmHWM (peak resident set) from /proc/self/status.
private func peakRSS() -> String { format(procStatus("VmHWM:")) }

private func currentRSS() -> Int { procStatus("VmRSS:") }

private func procStatus(_ key: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
    let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
    return kb * 1024
}
