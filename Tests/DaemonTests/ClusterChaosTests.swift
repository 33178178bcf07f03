import Daemon
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Three real daemons (separate processes) on one spool and one PostgreSQL database deliver thirty releases to two
/// DSPs on a real sshd, while one of them is killed with SIGKILL at a random moment. The two that are left take its
/// work over once its leases expire: every batch arrives exactly once, BatchComplete last, every acknowledgement is
/// applied once, and every package ends done. Then a two-file DSR report goes through the cluster, and the
/// statement computed on PostgreSQL equals dsrgen's oracle.
///
/// The instant and the victim come from a seeded generator; the seed is printed, and `DDEXD_CHAOS_SEED=N` replays
/// a run.
final class ClusterChaosTests: XCTestCase {
    private let releases = 30
    private let dsps = ["spotify", "youtube"]
    private let instances = 3

    func testThreeInstancesDeliverEveryBatchExactlyOnceWhileOneIsKilled() throws {
        let seed = ProcessInfo.processInfo.environment["DDEXD_CHAOS_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("cluster chaos seed: \(seed) (replay with DDEXD_CHAOS_SEED=\(seed))")
        var random = SplitMix64(seed: seed)

        let postgres = try PostgresServer()
        try postgres.createDatabase("cluster")
        let server = try SSHServer()
        let daemon = try clusterDaemon(postgres: postgres, server: server)
        var finished = false
        defer {
            // The instances' logs outlive a failed run (the harness removes its folder), for a replay to compare.
            if !finished {
                let kept = NSTemporaryDirectory() + "/cluster-chaos-\(seed)"
                try? FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
                for n in 0..<instances { try? FileManager.default.copyItem(atPath: daemon.logPath(instance: n), toPath: kept + "/ddexd-\(n).log") }
                print("cluster chaos: the instances' logs are in \(kept)")
            }
        }
        let staged = try stageReleases(daemon)

        for n in 0..<instances { try daemon.start(instance: n) }
        for (index, staging) in staged.enumerated() {
            XCTAssertEqual(rename(staging, daemon.inbound + "/release-\(index + 1)"), 0)
        }
        func query(_ sql: String) throws -> String {
            try postgres.psql(sql, database: "cluster").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // The victim dies while it holds a delivery or a package step (its leases say so), after a random wait.
        let victim = Int.random(in: 0..<instances, using: &random)
        let victimId = try instanceId(daemon, victim)
        Thread.sleep(forTimeInterval: Double.random(in: 0.1...1.5, using: &random))
        try daemon.waitUntil("instance \(victim) holds a delivery or a package", timeout: 60) {
            try !query("SELECT resource FROM leases WHERE holder = '\(victimId)' AND (resource LIKE 'delivery:%' OR resource LIKE 'package:%')").isEmpty
        }
        daemon.kill9(instance: victim)
        let orphaned = try query("SELECT resource FROM leases WHERE holder = '\(victimId)' AND resource NOT LIKE 'instance:%'")
            .split(separator: "\n").map(String.init)
        print("cluster chaos: instance \(victim) killed holding \(orphaned)")
        try daemon.waitUntil("every release delivered to both DSPs by the instances left", timeout: 300) {
            try query("SELECT count(*) FROM deliveries WHERE state = 'completed'") == "\(releases * dsps.count)"
        }
        try checkServer(server)

        // Each delivery as the store has it (the status files are written by whichever instance moved a package last).
        for line in try query("SELECT dsp || '|' || message_id || '|' || batch_id FROM deliveries").split(separator: "\n") {
            let fields = line.split(separator: "|").map(String.init)
            try daemon.acknowledge(dsp: fields[0], messageId: fields[1], batchId: fields[2])
        }
        try daemon.waitUntil("every delivery acknowledged and every package done", timeout: 120) {
            try query("SELECT count(*) FROM deliveries WHERE state = 'acknowledged'") == "\(releases * dsps.count)"
                && query("SELECT count(*) FROM packages WHERE state = 'done'") == "\(releases)"
        }
        XCTAssertEqual(try query("SELECT count(*) FROM delivery_files WHERE placed = 0"), "0", "a file of a finished delivery is not placed")
        XCTAssertEqual(try query("SELECT count(*) FROM acks WHERE outcome = 'applied'"), "\(releases * dsps.count)", "each acknowledgement applied once")
        XCTAssertEqual(try query("SELECT count(*) FROM (SELECT delivery_id FROM acks WHERE outcome = 'applied' GROUP BY delivery_id HAVING count(*) <> 1) AS twice"), "0")
        // BatchIds are a DSP's: two DSPs' bundles may share one, one DSP's never.
        XCTAssertEqual(try query("SELECT count(DISTINCT dsp || '/' || batch_id) FROM deliveries"), "\(releases * dsps.count)")
        XCTAssertEqual(try query("SELECT count(*) FROM deliveries"), "\(releases * dsps.count)", "no delivery queued twice")
        XCTAssertEqual(try query("SELECT string_agg(resource, ',') FROM leases WHERE holder = '\(victimId)' AND resource NOT LIKE 'instance:%'"), "",
                       "every unit the killed instance held was taken over: \(orphaned)")

        // A two-file sales report through the cluster: one instance takes it (its polling lease), loads it with COPY.
        let golden = GoldenReport.seed3SpecialSummaries
        let reports = server.localPath("/spotify/reports")
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        let parts = try FileManager.default.contentsOfDirectory(atPath: golden.folder.path).filter { $0.hasPrefix("DSR_") }.sorted()
        for part in parts { try FileManager.default.copyItem(atPath: golden.folder.path + "/" + part, toPath: reports + "/" + part) }
        let semaphore = parts[0].replacingOccurrences(of: "_1of2_", with: "_").replacingOccurrences(of: ".tsv.gz", with: ".ctrl")
        FileManager.default.createFile(atPath: reports + "/" + semaphore, contents: Data())
        try daemon.waitUntil("the report is fetched and loaded by the cluster", timeout: 60) {
            FileManager.default.fileExists(atPath: reports + "/processed/" + parts[1])
        }
        XCTAssertEqual(try query("SELECT count(*) FROM dsr_reports WHERE state = 'loaded'"), "1")
        // Each living instance measured its clock against the server's (one host here: they agree).
        let survivors = StatusWriter(folder: daemon.spool + "/status").readInstanceStatuses().filter { $0.instance?.id != victimId }
        XCTAssertEqual(survivors.count, instances - 1, "one status file per living instance")
        for status in survivors {
            let offset = try XCTUnwrap(status.instance?.clockOffsetSeconds, "the status file shows the clock offset")
            XCTAssertLessThan(abs(offset), 1, "one host, one clock")
        }
        for n in 0..<instances where n != victim { XCTAssertEqual(daemon.stop(instance: n), 0, daemon.log(instance: n)) }

        // The statement on PostgreSQL, through the real CLI, against dsrgen's oracle.
        for (kind, file) in [("catalog", "catalog.csv"), ("splits", "splits.csv"), ("advances", "advances.csv"), ("rates", "rates.csv")] {
            let r = try CommandRunner.run(CommandRunner.ddexd, ["import", kind, golden.folder.path + "/" + file, "--config", daemon.configPath])
            XCTAssertEqual(r.status, 0, "import \(kind): \(r.stdout)\(r.stderr)")
        }
        let out = daemon.root + "/statements"
        let statements = try CommandRunner.run(CommandRunner.ddexd, ["statements", "--period", "2020-06", "--format", "json", "--out", out,
                                                                     "--config", daemon.configPath])
        XCTAssertEqual(statements.status, 0, statements.stdout + statements.stderr)
        let json = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix(".json") })
        try OracleCheck.assertMatches(golden, actual: URL(fileURLWithPath: out + "/" + json))
        XCTAssertFalse(FileManager.default.fileExists(atPath: daemon.spool + "/state/ddexd.sqlite"), "nothing went to SQLite")
        finished = true
    }

    // MARK: set-up

    /// The instance id instance `n` announced in its start line.
    private func instanceId(_ daemon: DaemonHarness, _ n: Int) throws -> String {
        guard let line = daemon.log(instance: n).split(separator: "\n").last(where: { $0.contains("ddexd started") }),
              let field = line.split(separator: " ").first(where: { $0.hasPrefix("instance=") })
        else { throw HarnessError("instance \(n) did not say its id") }
        return String(field.dropFirst("instance=".count))
    }

    /// One configuration for every instance: both DSPs over SFTP (two sessions each, across the cluster), the
    /// store on PostgreSQL, leases of two seconds so that a dead instance's work is taken over quickly.
    private func clusterDaemon(postgres: PostgresServer, server: SSHServer) throws -> DaemonHarness {
        var profiles: [String: String] = [:]
        for (dsp, dpid) in zip(dsps, ["PADPIDA2011072101T", "PADPIDA2013020802I"]) {
            _ = try server.makeDropBoxDirectory(dsp)
            profiles[dsp] = DaemonHarness.sftpProfile(name: dsp, dpid: dpid, host: server.host, port: server.port, user: server.user,
                                                      key: server.clientKeyPath, knownHosts: server.knownHostsPath, root: "/" + dsp)
                .replacingOccurrences(of: "connect_timeout_seconds = 5", with: "connect_timeout_seconds = 30\nmax_sessions = 2")
        }
        let daemon = try DaemonHarness(dsps: profiles)
        try daemon.writeConfig(extra: """
            [store]
            kind = "postgresql"
            url = "\(postgres.url(database: "cluster"))"
            password_file = "\(postgres.passwordFile)"
            pool_size = 4
            tls = "disable"
            """, daemon: "lease_seconds = 2")
        for dsp in dsps { daemon.remoteRoots[dsp] = server.localPath("/" + dsp) }
        return daemon
    }

    /// Thirty distinct releases (their own ICPN and ISRCs), staged beside the inbound folder.
    private func stageReleases(_ daemon: DaemonHarness) throws -> [String] {
        try FileManager.default.createDirectory(atPath: daemon.inbound, withIntermediateDirectories: true)
        let flac = RepositoryPaths.fixtures.appendingPathComponent("packages/album-flac/resources/01.flac").path
        return try (1...releases).map { n in
            let staging = daemon.inbound + "/.staging-\(n)"
            try LargePackage.make(at: staging, fixture: "packages/album-flac", flac: flac,
                                  release: (LargePackage.icpn(String(format: "5012345679%02d", n)), String(format: "GBCLU%02d", n)))
            return staging
        }
    }

    // MARK: checks

    /// One batch per release on each DSP's drop box, exactly one BatchComplete in each, written after every other
    /// file of its batch.
    private func checkServer(_ server: SSHServer) throws {
        for dsp in dsps {
            let root = server.localPath("/" + dsp)
            let batches = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasPrefix(".") && $0 != "reports" }
            XCTAssertEqual(batches.count, releases, "\(dsp): one batch per release: \(batches)")
            for batch in batches {
                let folder = root + "/" + batch
                let names = files(under: folder).filter { !$0.hasPrefix("acknowledgements/") }
                let completions = names.filter { $0.hasPrefix("BatchComplete_") }
                XCTAssertEqual(completions.count, 1, "\(dsp)/\(batch): \(names)")
                XCTAssertEqual(names.filter { $0.hasSuffix(".flac") }.count, 3, "\(dsp)/\(batch): \(names)")
                XCTAssertFalse(names.contains { $0.contains(".ddexd-part") }, "\(dsp)/\(batch): \(names)")
                guard let completion = completions.first else { continue }
                let completedAt = try modified(folder + "/" + completion)
                for name in names where name != completion {
                    XCTAssertLessThanOrEqual(try modified(folder + "/" + name), completedAt, "\(dsp)/\(batch)/\(name) after BatchComplete")
                }
            }
        }
    }

    private func files(under root: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let path = e.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { out.append(path) }
        }
        return out.sorted()
    }

    private func modified(_ path: String) throws -> Double {
        var info = stat()
        guard stat(path, &info) == 0 else { throw HarnessError("stat \(path) failed") }
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }
}
