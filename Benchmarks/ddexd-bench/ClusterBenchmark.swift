import Foundation
import Harness

#if canImport(Glibc)
import Glibc
#endif

/// `ddexd-bench cluster [--packages N] [--instances K] [--fixture PATH] [--ddexd PATH] [--schemas DIR]`
///
/// Delivers N small packages (default 50: distinct releases made from the fixture, default
/// `Fixtures/packages/example-album`) to one DSP on a real OpenSSH sshd on 127.0.0.1, through the real `ddexd run`
/// on a PostgreSQL store (a throw-away server): once with one instance, then with K (default 2) on one spool and
/// one database. Prints the time from the packages appearing in the inbound folder to their last delivery
/// completed, for each, and their ratio (target ≤ 0.65); twice: with the instances sharing every core of the host,
/// and with each instance on a core of its own (`taskset`), as on hosts of their own. With each, how many of the
/// host's cores were busy: a ratio above the target on a host whose cores are all busy is the host's limit, not the
/// cluster's. Needs root, openssh-server and postgresql.
func runClusterBenchmark(arguments: [String]) throws {
    var options = ClusterBenchOptions()
    var args = arguments[...]
    while let arg = args.popFirst() {
        func value() throws -> String {
            guard let v = args.popFirst() else { throw BenchmarkError("\(arg) needs a value") }
            return v
        }
        switch arg {
        case "--packages": options.packages = max(1, Int(try value()) ?? options.packages)
        case "--instances": options.instances = max(2, Int(try value()) ?? options.instances)
        case "--fixture": options.fixture = try value()
        case "--ddexd": options.ddexd = try value()
        case "--schemas": options.schemas = try value()
        default:
            throw BenchmarkError("unknown argument \(arg); usage: cluster [--packages N] [--instances K] [--fixture PATH] [--ddexd PATH] [--schemas DIR]")
        }
    }
    guard FileManager.default.isExecutableFile(atPath: options.ddexd) else {
        throw BenchmarkError("no ddexd binary at \(options.ddexd); build it (swift build -c release) or pass --ddexd")
    }
    let postgres = try PostgresServer()
    let server = try SSHServer()
    let cores = ProcessInfo.processInfo.activeProcessorCount
    try StopCleanup.whileRunning(undo: { postgres.kill(); server.stop() }) {
        // Sharing every core of one host, then (the scale-out the target is about) each instance on a core of its
        // own, as on hosts of their own: the host's other work (sshd, PostgreSQL) still runs on any core.
        for pinned in cores >= options.instances ? [false, true] : [false] {
            let alone = try deliverThroughCluster(instances: 1, pinned: pinned, options: options, postgres: postgres, server: server)
            let together = try deliverThroughCluster(instances: options.instances, pinned: pinned, options: options,
                                                     postgres: postgres, server: server)
            let how = pinned ? "each instance on a core of its own (taskset), as on hosts of their own"
                : "the instances sharing all \(cores) cores of one host"
            print(String(format: "%d packages to one sshd, %@: 1 instance %.2f s, %d instances %.2f s: ratio %.2f%@",
                         options.packages, how, alone.seconds, options.instances, together.seconds,
                         together.seconds / alone.seconds, pinned ? "  (target ≤ 0.65)" : ""))
            print(String(format: "  host CPU busy (ddexd, sshd, PostgreSQL together): %.2f of %d cores with 1 instance, %.2f with %d",
                         alone.busyCores, cores, together.busyCores, options.instances))
        }
        if cores < options.instances { print("fewer cores (\(cores)) than instances: the run with a core per instance is left out") }
    }
}

struct ClusterBenchOptions {
    var packages = 50
    var instances = 2
    var fixture = "Fixtures/packages/example-album"
    var ddexd = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("ddexd").path
    var schemas = ERNBenchOptions.defaultSchemaFolder
}

/// One timed run: `instances` daemons (`pinned`: instance k on core k only) on a fresh spool and database; seconds
/// from the drop to the last delivery.
private func deliverThroughCluster(instances: Int, pinned: Bool, options: ClusterBenchOptions, postgres: PostgresServer,
                                   server: SSHServer) throws -> (seconds: Double, busyCores: Double)
{
    let name = "cluster\(instances)" + (pinned ? "_pinned" : "")
    try postgres.createDatabase(name)
    let root = NSTemporaryDirectory() + "ddexd-bench-\(name)-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: root) }
    _ = try server.makeDropBoxDirectory(name)
    try writeClusterConfiguration(root: root, database: postgres.url(database: name), postgres: postgres, server: server,
                                  remoteRoot: "/" + name, schemas: URL(fileURLWithPath: options.schemas).standardizedFileURL.path)
    let inbound = root + "/spool/inbound/label"
    try FileManager.default.createDirectory(atPath: inbound, withIntermediateDirectories: true)
    let fixture = URL(fileURLWithPath: options.fixture).standardizedFileURL.path
    for n in 0..<options.packages {
        try PackageVariant.make(from: fixture, at: inbound + "/.stage-\(n)",
                                release: (PackageVariant.icpn(String(format: "501234%06d", n)), String(format: "GBBEN%02d", n % 100)))
    }
    return try StopCleanup.whileRunning(undo: { try? FileManager.default.removeItem(atPath: root) }) {
        defer { daemons.terminateAll() }
        for core in 0..<instances { try startDaemon(options.ddexd, config: root + "/config/ddexd.toml", core: pinned ? core : nil) }
        return try timeDelivery(instances: instances, options: options, postgres: postgres, database: name, root: root, inbound: inbound)
    }
}

/// Seconds from the packages' renames into the inbound folder to the last delivery completed, once every instance
/// wrote its status file, and how many of the host's cores were busy meanwhile.
private func timeDelivery(instances: Int, options: ClusterBenchOptions, postgres: PostgresServer, database name: String,
                          root: String, inbound: String) throws -> (seconds: Double, busyCores: Double)
{
    try waitFor("\(instances) instance(s) to start", timeout: 60) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/spool/status")) ?? []
        return names.filter { $0.hasPrefix("ddexd-") && $0.hasSuffix(".json") }.count == instances
    }
    let start = ContinuousClock.now
    let cpu = try HostCPU.now()
    for n in 0..<options.packages {
        guard rename(inbound + "/.stage-\(n)", inbound + "/release-\(n)") == 0 else { throw BenchmarkError("rename failed") }
    }
    try waitFor("every package delivered", timeout: 600) {
        let done = try postgres.psql("SELECT count(*) FROM deliveries WHERE state = 'completed'", database: name)
        return Int(done.trimmingCharacters(in: .whitespacesAndNewlines)) == options.packages
    }
    return (seconds(since: start), try HostCPU.now().busyCores(since: cpu))
}

private func writeClusterConfiguration(root: String, database: String, postgres: PostgresServer, server: SSHServer,
                                       remoteRoot: String, schemas: String) throws
{
    try BenchmarkConfiguration.write(root: root, schemas: schemas, tables: """
        [daemon]
        log_level = "warning"
        [store]
        kind = "postgresql"
        url = "\(database)"
        password_file = "\(postgres.passwordFile)"
        tls = "disable"
        [accounts.label]
        dsps = ["spotify"]
        """, dsps: [("spotify", BenchmarkConfiguration.sftpProfile(server, recipient: ("PADPIDA2011072101T", "Spotify"),
                                                                   remoteRoot: remoteRoot, maxSessions: 4))])
}

private func waitFor(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        usleep(50_000)
    }
    throw BenchmarkError("timed out after \(timeout) s waiting for \(what)")
}
