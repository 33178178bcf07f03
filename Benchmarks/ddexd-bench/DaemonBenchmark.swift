import Foundation
import Harness

#if canImport(Glibc)
import Glibc
#endif

/// `ddexd-bench daemon [--dsps N] [--seconds S] [--drops K] [--fixture PATH] [--ddexd PATH]`
///
/// Runs the real `ddexd run` (the binary built next to this one) with N DSP profiles (default 10) delivering to
/// local folders, then measures:
/// - idle CPU over S seconds (default 60) from `/proc/<pid>/stat`, target < 1 %;
/// - K times (default 5): the time from a package appearing in the inbound folder with `READY` (one rename)
///   to the first byte of it in a DSP's drop box (a temporary `.ddexd-part` file or a final file), target < 1 s.
///   With `--sftp`, the first DSP delivers over SFTP to a real OpenSSH sshd started on 127.0.0.1 (needs root
///   and openssh-server), and the first byte is looked for on that server.
func runDaemonBenchmark(arguments: [String]) throws {
    var dsps = 10
    var seconds = 60.0
    var drops = 5
    var fixture = "Fixtures/packages/album-flac"
    var ddexd = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("ddexd").path
    var schemas = ERNBenchOptions.defaultSchemaFolder
    var sftp = false
    var args = arguments[...]
    while let arg = args.popFirst() {
        func value() throws -> String {
            guard let v = args.popFirst() else { throw BenchmarkError("\(arg) needs a value") }
            return v
        }
        switch arg {
        case "--dsps": dsps = max(1, Int(try value()) ?? dsps)
        case "--seconds": seconds = Double(try value()) ?? seconds
        case "--drops": drops = max(1, Int(try value()) ?? drops)
        case "--fixture": fixture = try value()
        case "--ddexd": ddexd = try value()
        case "--schemas": schemas = try value()
        case "--sftp": sftp = true
        default: throw BenchmarkError("unknown argument \(arg); usage: daemon [--dsps N] [--seconds S] [--drops K] [--fixture PATH] [--ddexd PATH] [--schemas DIR]")
        }
    }
    guard FileManager.default.isExecutableFile(atPath: ddexd) else { throw BenchmarkError("no ddexd binary at \(ddexd); build it or pass --ddexd") }
    let fixturePath = URL(fileURLWithPath: fixture).standardizedFileURL.path
    let schemaPath = URL(fileURLWithPath: schemas).standardizedFileURL.path
    guard FileManager.default.fileExists(atPath: fixturePath + "/READY") else { throw BenchmarkError("\(fixturePath) is not a package with READY") }

    let root = NSTemporaryDirectory() + "ddexd-bench-daemon-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: root) }
    // The first two are named like the fixture's targets (its release.json lists spotify and youtube).
    let names = (0..<dsps).map { $0 == 0 ? "spotify" : $0 == 1 ? "youtube" : "dsp\($0)" }
    let server = sftp ? try SSHServer() : nil
    let watched = server.map { $0.localPath("/upload") } ?? root + "/dropbox"
    let profiles = names.enumerated().map { i, name in
        if let server, i == 0 {
            return (name, BenchmarkConfiguration.sftpProfile(server, recipient: ("PADPIDA2011072101T", "DSP 0 over SFTP"), remoteRoot: "/upload"))
        }
        return (name, BenchmarkConfiguration.localProfile(recipient: ("PADPIDA2013020802I", "DSP \(i)"), remoteRoot: "\(root)/dropbox/\(name)",
                                                          more: "[acks]\npoll_seconds = 300"))
    }
    try BenchmarkConfiguration.write(root: root, schemas: schemaPath, tables: "[accounts.label]", dsps: profiles)
    let process = try startDaemon(ddexd, config: root + "/config/ddexd.toml")
    defer { daemons.terminateAll() }
    let statusFile = root + "/spool/status/ddexd.json"
    let startDeadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: statusFile) {
        guard Date() < startDeadline, process.isRunning else { throw BenchmarkError("ddexd did not start") }
        usleep(10_000)
    }
    sleep(2)  // past start-up work

    // Idle CPU.
    let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    let before = try cpuTicks(pid: process.processIdentifier)
    let start = ContinuousClock.now
    Thread.sleep(forTimeInterval: seconds)
    let elapsed = ddexdSeconds(since: start)
    let used = Double(try cpuTicks(pid: process.processIdentifier) - before) / ticksPerSecond
    print(String(format: "idle CPU with %d DSPs over %.0f s: %.3f s CPU = %.2f %%  (target < 1 %%)", dsps, elapsed, used, 100 * used / elapsed))

    // READY → first byte in a drop box.
    var latencies: [Double] = []
    for drop in 0..<drops {
        let inbound = root + "/spool/inbound/label"
        let staging = inbound + "/.drop\(drop)"
        try FileManager.default.copyItem(atPath: fixturePath, toPath: staging)
        let before = Set(allFiles(watched))
        let t0 = ContinuousClock.now
        guard rename(staging, inbound + "/pkg\(drop)") == 0 else { throw BenchmarkError("rename failed") }
        var latency: Double?
        while latency == nil {
            if allFiles(watched).contains(where: { !before.contains($0) }) { latency = ddexdSeconds(since: t0) }
            if ddexdSeconds(since: t0) > 10 { throw BenchmarkError("no byte reached a drop box within 10 s") }
            usleep(500)
        }
        latencies.append(latency!)
        Thread.sleep(forTimeInterval: 1)  // let the deliveries finish before the next drop
    }
    let sorted = latencies.sorted()
    print(String(format: "READY → first byte %@ over %d drops: median %.3f s, max %.3f s  (target < 1 s)",
                 sftp ? "on the SFTP server" : "in a drop box", drops, sorted[sorted.count / 2], sorted.last!))
    withExtendedLifetime(server) {}
}

private func ddexdSeconds(since start: ContinuousClock.Instant) -> Double { seconds(since: start) }

/// utime + stime of a process, in clock ticks.
private func cpuTicks(pid: Int32) throws -> Int {
    let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    // Fields after the command name (which may hold spaces) start after the last ')'.
    guard let close = stat.lastIndex(of: ")") else { throw BenchmarkError("cannot read /proc/\(pid)/stat") }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { throw BenchmarkError("cannot parse /proc/\(pid)/stat") }
    return user + system
}

private func allFiles(_ root: String) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
    var out: [String] = []
    while let path = e.nextObject() as? String { out.append(path) }
    return out
}
