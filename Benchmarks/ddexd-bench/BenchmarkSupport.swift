import Foundation
import Harness

#if canImport(Glibc)
import Glibc
#endif

/// A benchmark that cannot run (bad arguments, a missing tool, an invalid input).
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Seconds elapsed since `start`.
/// The repository this tool was built from (the folder holding Package.swift).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}()

/// `dsrgen.py`, the reference report generator and accounting oracle, beside the repository (`../shared/tools`):
/// reference material, not part of the repository; the benchmarks that need large reports use it.
let defaultDSRGenerator = repositoryRoot + "/../shared/tools/dsrgen.py"

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// The best wall time of `runs` runs of `body`, in seconds.
func best(of runs: Int, _ body: () throws -> Void) throws -> Double {
    var bestSeconds = Double.infinity
    for _ in 0..<max(1, runs) {
        let start = ContinuousClock.now
        try body()
        bestSeconds = min(bestSeconds, seconds(since: start))
    }
    return bestSeconds
}

/// Runs a reference tool found on PATH (or at an absolute path) and returns its standard output;
/// fails when it exits non-zero. With `quiet`, its output is discarded.
@discardableResult
func runTool(_ tool: String, _ arguments: [String], quiet: Bool = false) throws -> String {
    let process = Process()
    if tool.hasPrefix("/") {
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
    }
    let pipe = Pipe()
    process.standardOutput = quiet ? FileHandle.nullDevice : pipe
    if quiet { process.standardError = FileHandle.nullDevice }
    try process.run()
    let data = quiet ? Data() : pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchmarkError("\(tool) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// CPU time (user + system) of this process, or with `RUSAGE_CHILDREN` of its finished children.
func cpuSeconds(_ who: Int32 = RUSAGE_SELF.rawValue) -> Double {
    var usage = rusage()
    getrusage(who, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// CPU time of finished child processes (the reference tools).
func childCPUSeconds() -> Double { cpuSeconds(RUSAGE_CHILDREN.rawValue) }

/// Peak resident set size of this process, in MB.
func peakRSSMegabytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) / 1024  // KiB on Linux
}

/// What a benchmark undoes when it is stopped by SIGINT or SIGTERM (Ctrl-C, `timeout`): the servers and daemons it
/// started would otherwise outlive it and load the machine for the next measurement.
enum StopCleanup {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var actions: [Int: @Sendable () -> Void] = [:]
    nonisolated(unsafe) private static var nextToken = 0
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Runs every registered action, then exits with 128 + the signal, on SIGINT and SIGTERM. Called once by main.
    static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                let pending = lock.withLock { () -> [@Sendable () -> Void] in
                    defer { actions = [:] }
                    return actions.keys.sorted(by: >).compactMap { actions[$0] }
                }
                daemons.terminateAll()
                for action in pending { action() }
                FileHandle.standardError.write(Data("ddexd-bench: stopped by signal \(signalNumber); what it started is stopped\n".utf8))
                exit(128 + signalNumber)
            }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }

    /// Runs `action` if the benchmark is stopped before `body` returns (latest registered first).
    static func whileRunning<T>(undo action: @escaping @Sendable () -> Void, _ body: () throws -> T) rethrows -> T {
        let token = lock.withLock { () -> Int in
            nextToken += 1
            actions[nextToken] = action
            return nextToken
        }
        defer { lock.withLock { _ = actions.removeValue(forKey: token) } }
        return try body()
    }
}

/// Starts `ddexd run --config <config>` (its log discarded) as one of `daemons`, which the signal handler stops too;
/// with `core`, on that CPU only (`taskset`, which sets the affinity and then runs ddexd itself).
@discardableResult
func startDaemon(_ ddexd: String, config: String, core: Int? = nil) throws -> Process {
    let process = Process()
    if let core {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
        process.arguments = ["--cpu-list", "\(core)", ddexd, "run", "--config", config]
    } else {
        process.executableURL = URL(fileURLWithPath: ddexd)
        process.arguments = ["run", "--config", config]
    }
    // DDEXD_BENCH_LOGS=<folder> keeps each daemon's log there (DDEXD_LOG_LEVEL sets its level), to see where the
    // time goes.
    if let folder = ProcessInfo.processInfo.environment["DDEXD_BENCH_LOGS"] {
        let path = folder + "/ddexd-\(daemons.count).log"
        FileManager.default.createFile(atPath: path, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: path)
    } else {
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    }
    try process.run()
    daemons.add(process)
    return process
}

/// The `ddexd run` processes the benchmark started (`startDaemon`).
let daemons = ChildProcesses()

/// Child processes a benchmark started, stoppable from the signal handler.
final class ChildProcesses: @unchecked Sendable {
    // Safety: `processes` is only touched with `lock` held.
    private let lock = NSLock()
    private var processes: [Process] = []

    private var added = 0

    func add(_ process: Process) { lock.withLock { processes.append(process); added += 1 } }

    /// How many were added in all.
    var count: Int { lock.withLock { added } }

    /// Sends SIGTERM to each and waits for it to end.
    func terminateAll() {
        let all = lock.withLock { () -> [Process] in defer { processes = [] }; return processes }
        for process in all where process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}

/// The configuration a benchmark runs the real `ddexd run` on, in `root/config/`.
enum BenchmarkConfiguration {
    /// Writes `ddexd.toml` (the benchmark sender, the spool under `root`, `schemas`, EUR accounting, then `tables`:
    /// `[daemon]`, `[store]`, the accounts) and `dsps/<name>.toml` for each of `dsps` (name → profile TOML).
    static func write(root: String, schemas: String, tables: String, dsps: [(name: String, profile: String)]) throws {
        try FileManager.default.createDirectory(atPath: root + "/config/dsps", withIntermediateDirectories: true)
        try """
            dsp_folder = "dsps"
            [sender]
            dpid = "PADPIDA2014122301Q"
            name = "Benchmark"
            [spool]
            root = "\(root)/spool"
            [schemas]
            folder = "\(URL(fileURLWithPath: schemas).standardizedFileURL.path)"
            [accounting]
            currency = "EUR"
            commission_bp = 1500
            \(tables)
            """.write(toFile: root + "/config/ddexd.toml", atomically: true, encoding: .utf8)
        for (name, profile) in dsps {
            try profile.write(toFile: root + "/config/dsps/\(name).toml", atomically: true, encoding: .utf8)
        }
    }

    /// A DSP profile delivering over SFTP to `server` under `remoteRoot`; acknowledgements polled rarely.
    static func sftpProfile(_ server: SSHServer, recipient: (dpid: String, name: String), remoteRoot: String,
                            maxSessions: Int? = nil) -> String
    {
        """
        recipient_dpid = "\(recipient.dpid)"
        recipient_name = "\(recipient.name)"
        [transport]
        kind = "sftp"
        host = "\(server.host)"
        port = \(server.port)
        user = "\(server.user)"
        private_key = "\(server.clientKeyPath)"
        known_hosts = "\(server.knownHostsPath)"
        remote_root = "\(remoteRoot)"
        \(maxSessions.map { "max_sessions = \($0)" } ?? "")
        [acks]
        poll_seconds = 300
        """
    }

    /// A DSP profile delivering to the local folder `remoteRoot`, with `more` TOML after its transport.
    static func localProfile(recipient: (dpid: String, name: String), remoteRoot: String, more: String) -> String {
        """
        recipient_dpid = "\(recipient.dpid)"
        recipient_name = "\(recipient.name)"
        [transport]
        kind = "local"
        remote_root = "\(remoteRoot)"
        \(more)
        """
    }
}

/// The host's CPU time from `/proc/stat`, to tell how many cores a run kept busy.
struct HostCPU {
    /// Clock ticks spent busy and in all, summed over every core.
    let busy: Int
    let total: Int

    /// Reads the aggregate `cpu` line: user nice system idle iowait irq softirq steal.
    static func now() throws -> HostCPU {
        let text = try String(contentsOfFile: "/proc/stat", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else {
            throw BenchmarkError("no cpu line in /proc/stat")
        }
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Int($0) }
        guard ticks.count == 8 else { throw BenchmarkError("cannot parse /proc/stat: \(line)") }
        let total = ticks.reduce(0, +)
        return HostCPU(busy: total - ticks[3] - ticks[4], total: total)
    }

    /// How many cores were busy on average since `earlier`.
    func busyCores(since earlier: HostCPU) -> Double {
        let total = total - earlier.total
        guard total > 0 else { return 0 }
        return Double(busy - earlier.busy) / Double(total) * Double(ProcessInfo.processInfo.activeProcessorCount)
    }
}
