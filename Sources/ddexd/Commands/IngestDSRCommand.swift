import ArgumentParser
import DDEXModel
import DSR
import Foundation
import Store
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ddexd ingest-dsr FILE...`: loads DSR sales reports into the store, one transaction per report.
struct IngestDSRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-dsr",
        abstract: "Load DSR sales/usage reports (.tsv, .tsv.gz) into the store.",
        discussion: """
            Files of one multi-file report (same name apart from XofY) are grouped and loaded together, once all \
            of them are given. Each report loads in one transaction: a report that fails leaves nothing behind. \
            Loading the same files again changes nothing. A newer report for the same recipient, sender, \
            service, period and territory supersedes older ones. Loads into the configured store (SQLite or \
            PostgreSQL), or into the SQLite file --database names. Exits 1 if any report failed.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "SQLite database to load into (default: the configured store; with this option no configuration is read).")
    var database: String?

    @Flag(name: .long, help: "Never draw a progress bar (it is drawn only when standard error is a terminal).")
    var quiet = false

    @Argument(help: "DSR files, named DSR_<recipient>_<sender>_<service>_<period>_<territory>_<XofY>_<created>.tsv[.gz].")
    var files: [String]

    func run() throws {
        let store = try database.map { try StoreConnection(sqlite: $0) }
            ?? StoreConnection(global.loadConfiguration(), logger: CommandLogging.logger(label: "ddexd.ingest-dsr"))
        defer { store.close() }
        let loader = store.reportLoader
        let grouped = DSRReportFiles.group(paths: files)
        var failures = 0
        for error in grouped.rejected {
            Self.standardError("error \(error)")
            failures += 1
        }
        for report in grouped.reports {
            let bar = (!quiet && isatty(STDERR_FILENO) == 1) ? ProgressBar(report: report) : nil
            do {
                let result = try loader.load(report) { bar?.update($0) }
                bar?.finish()
                for warning in result.warnings { Self.standardError(warning.description) }
                print(Self.describe(result, report: report))
            } catch {
                bar?.finish()
                Self.standardError("error \(error)")
                Self.standardError("       report \(report.key) was not loaded (nothing of it was stored)")
                failures += 1
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    static func describe(_ result: DSRLoadResult, report: DSRReportFiles) -> String {
        let files = report.numberOfFiles == 1 ? "1 file" : "\(report.numberOfFiles) files"
        switch result.outcome {
        case .alreadyLoaded:
            return "already loaded: report \(result.reportId) \(report.key) (\(files)); nothing changed"
        case .loaded:
            let superseded = result.superseded.isEmpty ? "" : "; supersedes report(s) \(result.superseded.map(String.init).joined(separator: ", "))"
            return "loaded report \(result.reportId) \(report.key) (\(files), \(result.lineCount) lines, \(result.usageLineCount) usage lines, \(result.warnings.count) warnings)\(superseded)"
        case .loadedSuperseded(let newer):
            return "loaded report \(result.reportId) \(report.key) (\(files), \(result.usageLineCount) usage lines) as superseded: report \(newer) is newer"
        }
    }

    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// A one-line progress bar on standard error, by bytes of the report's files.
private final class ProgressBar {
    private let sizes: [Int64]
    private let total: Int64
    private var drawn = false

    init(report: DSRReportFiles) {
        sizes = report.files.map { file in
            ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size]) as? NSNumber)?.int64Value ?? 0
        }
        total = max(sizes.reduce(0, +), 1)
    }

    func update(_ progress: DSRLoadProgress) {
        let done = sizes.prefix(max(progress.fileNumber - 1, 0)).reduce(0, +) + progress.bytesRead
        let fraction = min(Double(done) / Double(total), 1)
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let text = String(format: "\r[%@] %3d%%  file %d/%d  line %d ", bar, Int(fraction * 100), progress.fileNumber,
                          progress.numberOfFiles, progress.linesRead)
        FileHandle.standardError.write(Data(text.utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}
