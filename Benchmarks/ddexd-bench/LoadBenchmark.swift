import Foundation
import Harness

#if canImport(Glibc)
import Glibc
#endif

/// `ddexd-bench load [--lines N] [--fixture PATH] [--ddexd PATH]`
///
/// The daemon while it loads a large DSR report: runs the real `ddexd run` (the binary built next to this one)
/// with two DSPs delivering to local folders and `status_interval_seconds = 1`, puts a synthetic report of N
/// lines (default 4,000,000) with its semaphore in the first DSP's report folder, drops a package one second
/// into the load, and measures:
/// - the oldest heartbeat seen during the load (`heartbeatAt` in `ddexd.json`, sampled every 50 ms), target
///   ≤ 3 × status_interval_seconds;
/// - the time from the drop to the package's BatchComplete at both DSPs, and whether that came before the
///   load ended;
/// - the load's duration.
func runLoadBenchmark(arguments: [String]) throws {
    var lines = 4_000_000
    var fixture = "Fixtures/packages/album-flac"
    var ddexd = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("ddexd").path
    var args = arguments[...]
    while let arg = args.popFirst() {
        func value() throws -> String {
            guard let v = args.popFirst() else { throw BenchmarkError("\(arg) needs a value") }
            return v
        }
        switch arg {
        case "--lines": lines = max(1000, Int(try value()) ?? lines)
        case "--fixture": fixture = try value()
        case "--ddexd": ddexd = try value()
        default: throw BenchmarkError("unknown argument \(arg); usage: load [--lines N] [--fixture PATH] [--ddexd PATH]")
        }
    }
    guard FileManager.default.isExecutableFile(atPath: ddexd) else { throw BenchmarkError("no ddexd binary at \(ddexd); build it or pass --ddexd") }
    let fixturePath = URL(fileURLWithPath: fixture).standardizedFileURL.path
    let root = NSTemporaryDirectory() + "ddexd-bench-load-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let profiles = [("spotify", "PADPIDA2011072101T"), ("youtube", "PADPIDA2013020802I")].map { name, dpid in
        (name, BenchmarkConfiguration.localProfile(recipient: (dpid, name), remoteRoot: "\(root)/dropbox/\(name)", more: """
            [dsr]
            folder = "reports"
            poll_seconds = 1
            after_fetch = "move"
            """))
    }
    try BenchmarkConfiguration.write(root: root, schemas: ERNBenchOptions.defaultSchemaFolder,
                                     tables: "[daemon]\nstatus_interval_seconds = 1\n[accounts.label]", dsps: profiles)
    let reports = root + "/dropbox/spotify/reports"
    try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: root + "/staging", withIntermediateDirectories: true)
    let (report, _) = try SyntheticDSRReport.write(lines: lines, into: root + "/staging")
    let size = (try FileManager.default.attributesOfItem(atPath: report)[.size] as? Int) ?? 0

    let process = try startDaemon(ddexd, config: root + "/config/ddexd.toml")
    defer { daemons.terminateAll() }
    let statusFile = root + "/spool/status/ddexd.json"
    try wait("ddexd to start", 30) { FileManager.default.fileExists(atPath: statusFile) }
    guard rename(report, reports + "/" + SyntheticDSRReport.fileName) == 0 else { throw BenchmarkError("rename failed") }
    FileManager.default.createFile(atPath: reports + "/" + SyntheticDSRReport.semaphoreName, contents: Data())
    let archived = root + "/spool/archive/dsr/spotify/" + SyntheticDSRReport.fileName
    try wait("the report to be archived", 120) { (try? FileManager.default.attributesOfItem(atPath: archived)[.size] as? Int) == size }
    let loadStart = ContinuousClock.now

    var oldest = 0.0
    func sample() {
        guard let data = FileManager.default.contents(atPath: statusFile),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let text = json["heartbeatAt"] as? String, let at = parseTimestamp(text)
        else { return }
        oldest = max(oldest, Date().timeIntervalSince(at))
    }
    Thread.sleep(forTimeInterval: 1)
    let inbound = root + "/spool/inbound/label"
    try FileManager.default.createDirectory(atPath: inbound, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: fixturePath, toPath: inbound + "/.drop")
    let dropped = ContinuousClock.now
    guard rename(inbound + "/.drop", inbound + "/album") == 0 else { throw BenchmarkError("rename failed") }
    let loaded = { FileManager.default.fileExists(atPath: reports + "/processed/" + SyntheticDSRReport.fileName) }
    var delivered: Double?
    var deliveredDuringLoad = false
    while !loaded() || delivered == nil {
        sample()
        if delivered == nil, ["spotify", "youtube"].allSatisfy({ batchComplete(in: root + "/dropbox/" + $0) }) {
            delivered = seconds(since: dropped)
            deliveredDuringLoad = !loaded()
        }
        guard seconds(since: loadStart) < 900, process.isRunning else { throw BenchmarkError("the load or the delivery did not finish") }
        usleep(50_000)
    }
    let loadSeconds = seconds(since: loadStart)
    print(String(format: "load: %d-line report loaded in %.1f s (from download to the report moved to processed/)", lines, loadSeconds))
    print(String(format: "  oldest heartbeat during the load: %.2f s  (target ≤ 3 s = 3 × status_interval_seconds)", oldest))
    print(String(format: "  package dropped 1 s into the load → delivered to both DSPs: %.2f s%@", delivered ?? -1,
                 deliveredDuringLoad ? " (before the load ended)" : " (after the load ended)"))
}

private func wait(_ what: String, _ timeout: Double, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        guard Date() < deadline else { throw BenchmarkError("timed out waiting for \(what)") }
        usleep(20_000)
    }
}

private func batchComplete(in folder: String) -> Bool {
    guard let e = FileManager.default.enumerator(atPath: folder) else { return false }
    while let path = e.nextObject() as? String {
        if !path.hasPrefix("reports"), (path as NSString).lastPathComponent.hasPrefix("BatchComplete_") { return true }
    }
    return false
}

private func parseTimestamp(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}
