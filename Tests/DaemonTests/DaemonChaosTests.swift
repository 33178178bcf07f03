import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The real daemon killed with SIGKILL at random instants while four releases with large files go to two
/// DSPs over a real sshd (through a throttling proxy, so transfers take long enough to be caught), then
/// again while their acknowledgements come back. Whatever the instants, every batch arrives exactly once,
/// BatchComplete last, every acknowledgement is applied once, no temporary file is left on either side, and
/// the store agrees with what happened.
///
/// The instants come from a seeded generator; the seed is printed, and `DDEXD_CHAOS_SEED=N` replays a run.
final class DaemonChaosTests: XCTestCase {
    private let releases = 4
    private let dsps = ["spotify", "youtube"]

    func testRandomKillsLoseNothingAndDuplicateNothing() throws {
        let seed = ProcessInfo.processInfo.environment["DDEXD_CHAOS_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("chaos seed: \(seed) (replay with DDEXD_CHAOS_SEED=\(seed))")
        var random = SplitMix64(seed: seed)

        let server = try SSHServer()
        for dsp in dsps { _ = try server.makeDropBoxDirectory(dsp) }
        // About 4 MB/s each way per connection: a release's ~6 MB take a second or two to go up.
        let proxy = try ThrottlingProxy(targetPort: server.port, delay: 0.002, chunkBytes: 8192)
        let knownHosts = server.root.appendingPathComponent("known_hosts_proxy").path
        try server.writeKnownHosts(to: knownHosts, port: proxy.port)
        var profiles: [String: String] = [:]
        for (dsp, dpid) in zip(dsps, ["PADPIDA2011072101T", "PADPIDA2013020802I"]) {
            profiles[dsp] = DaemonHarness.sftpProfile(name: dsp, dpid: dpid, host: server.host, port: proxy.port, user: server.user,
                                                      key: server.clientKeyPath, knownHosts: knownHosts, root: "/" + dsp)
                .replacingOccurrences(of: "connect_timeout_seconds = 5", with: "connect_timeout_seconds = 30\nmax_sessions = 2")
        }
        let daemon = try DaemonHarness(dsps: profiles)
        for dsp in dsps { daemon.remoteRoots[dsp] = server.localPath("/" + dsp) }

        // Four releases, each three ~1.8 MB FLAC tracks of noise and a 3000 px cover.
        let wav = daemon.root + "/noise.wav", flac = daemon.root + "/noise.flac"
        try LargePackage.writeNoiseWAV(at: wav, seconds: 10)
        try LargePackage.encodeFLAC(wav, to: flac)
        for n in 1...releases {
            let staging = daemon.root + "/staging-\(n)"
            try LargePackage.make(at: staging, fixture: "packages/example-album", flac: flac,
                                  release: (LargePackage.icpn("50123456780\(n)"), "GBCHA2\(n)"))
            try FileManager.default.createDirectory(atPath: daemon.inbound, withIntermediateDirectories: true)
            XCTAssertEqual(rename(staging, daemon.inbound + "/release-\(n)"), 0)
        }

        // Deliveries under fire: at least 8 kills, several of them while a file is half on the server.
        var kills = 0, midUpload = 0
        while kills < 8 || (midUpload < 3 && kills < 30) {
            try daemon.start()
            Thread.sleep(forTimeInterval: Double.random(in: 0.3...2.5, using: &random))
            if files(on: server).contains(where: { $0.hasSuffix(".ddexd-part") }) { midUpload += 1 }
            daemon.kill9()
            kills += 1
            server.waitForSessionsToEnd()
        }
        print("chaos: \(kills) kills during deliveries, \(midUpload) of them with an upload under way on the server")
        XCTAssertGreaterThanOrEqual(midUpload, 3, "kills that caught an upload under way (server side)")

        try daemon.start()
        try daemon.waitUntil("every release delivered to both DSPs", timeout: 300) { self.allDeliveries(daemon, are: ["completed"]) }
        try checkServer(server, daemon: daemon)

        // Acknowledgements under fire: every batch acknowledged, two more kills while they are read.
        for index in 0..<releases { for dsp in dsps { try daemon.acknowledge(dsp: dsp, package: index) } }
        for _ in 0..<2 {
            Thread.sleep(forTimeInterval: Double.random(in: 0.05...1.5, using: &random))
            daemon.kill9()
            kills += 1
            try daemon.start()
        }
        try daemon.waitUntil("every delivery acknowledged", timeout: 120) { self.allDeliveries(daemon, are: ["acknowledged"]) }
        try daemon.waitUntil("every package done") { daemon.packageStatuses().allSatisfy { $0["state"] as? String == "done" } }
        XCTAssertEqual(daemon.stop(), 0, daemon.log)
        print("chaos: \(kills) kills in all")

        try checkStore(daemon)
        try checkNoTemporaryFiles(server, daemon: daemon)
    }

    // MARK: checks

    private func allDeliveries(_ daemon: DaemonHarness, are states: Set<String>) -> Bool {
        let statuses = daemon.packageStatuses()
        guard statuses.count == releases else { return false }
        return statuses.allSatisfy { status in
            dsps.allSatisfy { dsp in ((status["dsps"] as? [String: Any])?[dsp] as? [String: Any])?["state"].flatMap { $0 as? String }.map(states.contains) ?? false }
        }
    }

    /// One batch per release on each DSP's drop box, BatchComplete written after every other file of its
    /// batch, and every file the bytes of the bundle ddexd built.
    private func checkServer(_ server: SSHServer, daemon: DaemonHarness) throws {
        for dsp in dsps {
            let root = server.localPath("/" + dsp)
            let batches = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasPrefix(".") && $0 != "reports" }
            XCTAssertEqual(batches.count, releases, "\(dsp): one batch per release: \(batches)")
            for batch in batches {
                let batchFiles = files(under: root + "/" + batch).filter { !$0.hasPrefix("acknowledgements/") }
                let completions = batchFiles.filter { $0.hasPrefix("BatchComplete_") }
                XCTAssertEqual(completions.count, 1, "\(dsp)/\(batch): \(batchFiles)")
                XCTAssertEqual(batchFiles.filter { $0.hasSuffix(".flac") }.count, 3, "\(dsp)/\(batch): \(batchFiles)")
                guard let completion = completions.first else { continue }
                let completedAt = try modified(root + "/" + batch + "/" + completion)
                for file in batchFiles where file != completion {
                    XCTAssertLessThanOrEqual(try modified(root + "/" + batch + "/" + file), completedAt, "\(dsp)/\(batch)/\(file) after BatchComplete")
                }
                let description = daemon.spool + "/outbound/\(dsp)/\(batch).bundle.json"
                let bundle = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: description))) as? [String: Any])
                for file in (bundle["files"] as? [[String: Any]]) ?? [] {
                    let path = try XCTUnwrap(file["path"] as? String)
                    XCTAssertEqual(try SSHTools.sha256(of: root + "/" + batch + "/" + path), file["sha256"] as? String, "\(dsp)/\(batch)/\(path)")
                }
            }
        }
    }

    /// The store agrees with what happened: four packages done, eight deliveries acknowledged with every file
    /// placed, each acknowledgement applied exactly once to its delivery.
    private func checkStore(_ daemon: DaemonHarness) throws {
        let db = daemon.spool + "/state/ddexd.sqlite"
        func query(_ sql: String) throws -> String {
            let result = try CommandRunner.run("sqlite3", [db, sql])
            XCTAssertEqual(result.status, 0, "sqlite3 (apt-get install -y sqlite3): \(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(try query("SELECT state, COUNT(*) FROM packages GROUP BY state"), "done|\(releases)")
        XCTAssertEqual(try query("SELECT state, COUNT(*) FROM deliveries GROUP BY state"), "acknowledged|\(releases * dsps.count)")
        XCTAssertEqual(try query("SELECT COUNT(*) FROM delivery_files WHERE placed = 0"), "0", "a file of a finished delivery is not placed")
        XCTAssertEqual(try query("SELECT COUNT(*) FROM deliveries WHERE ack_status <> 'FileOK' OR ack_at IS NULL"), "0")
        XCTAssertEqual(try query("SELECT COUNT(*) FROM acks WHERE outcome = 'applied'"), "\(releases * dsps.count)", "each acknowledgement applied once")
        XCTAssertEqual(try query("SELECT COUNT(*) FROM (SELECT delivery_id FROM acks WHERE outcome = 'applied' GROUP BY delivery_id HAVING COUNT(*) <> 1)"), "0")
        XCTAssertEqual(try query("SELECT COUNT(DISTINCT batch_id) FROM deliveries"), "\(releases * dsps.count)")
    }

    /// No upload temporary on the server, nothing half-built or half-written in the spool.
    private func checkNoTemporaryFiles(_ server: SSHServer, daemon: DaemonHarness) throws {
        let remote = files(on: server)
        XCTAssertFalse(remote.contains { $0.contains(".ddexd-part") }, "\(remote)")
        for folder in ["outbound", "work", "inbound"] {
            let left = files(under: daemon.spool + "/" + folder).filter {
                ($0 as NSString).lastPathComponent.hasPrefix(".") || $0.contains(".tmp-") || $0.contains(".building-")
            }
            XCTAssertEqual(left, [], "temporary files left in \(folder)/")
        }
        XCTAssertEqual(files(under: daemon.spool + "/work"), [], "work/ is empty once every package is done")
    }

    // MARK: files

    private func files(on server: SSHServer) -> [String] {
        dsps.flatMap { dsp in files(under: server.localPath("/" + dsp)).map { dsp + "/" + $0 } }
    }

    private func files(under root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let path = walker.nextObject() as? String {
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

/// SplitMix64: a small, seedable generator, so a chaos run can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
