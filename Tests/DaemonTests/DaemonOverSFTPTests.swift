import Daemon
import Foundation
import Store
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The real daemon delivering to a real OpenSSH sshd drop box on 127.0.0.1, and the whole loop back.
final class DaemonOverSFTPTests: XCTestCase {
    private func daemon(for server: SSHServer) throws -> DaemonHarness {
        let profile = DaemonHarness.sftpProfile(name: "spotify", dpid: "PADPIDA2011072101T", host: server.host, port: server.port,
                                                user: server.user, key: server.clientKeyPath, knownHosts: server.knownHostsPath)
        let daemon = try DaemonHarness(dsps: ["spotify": profile])
        daemon.remoteRoots["spotify"] = server.localPath("/upload")
        return daemon
    }

    private func remoteFiles(_ server: SSHServer) -> [String] {
        let root = server.localPath("/upload")
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let path = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDir), !isDir.boolValue { out.append(path) }
        }
        return out.sorted()
    }

    /// Package with READY → bundle on the SFTP server → the DSP's ack → status files say acknowledged →
    /// a golden dsrgen report with its semaphore → loaded → the statement equals dsrgen's oracle.
    func testEndToEndOverSFTPUpToTheStatement() throws {
        let server = try SSHServer()
        let daemon = try daemon(for: server)
        try daemon.start()
        try daemon.drop(fixture: "packages/album-flac")
        try daemon.waitUntil("delivered over SFTP") { daemon.deliveryState("spotify") == "completed" }
        let files = remoteFiles(server)
        XCTAssertEqual(files.filter { $0.contains("BatchComplete_") }.count, 1, "\(files)")
        XCTAssertEqual(files.filter { $0.hasSuffix(".flac") }.count, 3, "\(files)")
        XCTAssertFalse(files.contains { $0.contains(".ddexd-part") })

        try daemon.acknowledge(dsp: "spotify")
        try daemon.waitUntil("acknowledged") { daemon.deliveryState("spotify") == "acknowledged" }
        XCTAssertEqual(try JSONSchemaCheck.problems(
            file: daemon.spool + "/status/packages/" + (try FileManager.default.contentsOfDirectory(atPath: daemon.spool + "/status/packages").first { $0.hasSuffix(".json") } ?? ""),
            schema: RepositoryPaths.config.appendingPathComponent("schemas/status-package.schema.json").path), "")

        // The DSP's sales report, with its semaphore, in its report folder on the server.
        let golden = GoldenReport.seed3SpecialSummaries
        let generated = golden.folder.path
        let reports = server.localPath("/upload/reports")
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        let parts = try FileManager.default.contentsOfDirectory(atPath: generated).filter { $0.hasPrefix("DSR_") }.sorted()
        for part in parts { try FileManager.default.copyItem(atPath: generated + "/" + part, toPath: reports + "/" + part) }
        let semaphore = parts[0].replacingOccurrences(of: "_1of2_", with: "_").replacingOccurrences(of: ".tsv.gz", with: ".ctrl")
        FileManager.default.createFile(atPath: reports + "/" + semaphore, contents: Data())
        try daemon.waitUntil("the report is fetched over SFTP and loaded") {
            FileManager.default.fileExists(atPath: reports + "/processed/" + parts[1])
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: daemon.spool + "/archive/dsr/spotify/" + parts[0]))
        XCTAssertEqual(daemon.stop(), 0)

        // The statement, through the real CLI on the daemon's spool, against dsrgen's oracle.
        for (kind, file) in [("catalog", "catalog.csv"), ("splits", "splits.csv"), ("advances", "advances.csv"), ("rates", "rates.csv")] {
            let r = try CommandRunner.run(CommandRunner.ddexd, ["import", kind, generated + "/" + file, "--config", daemon.configPath])
            XCTAssertEqual(r.status, 0, "import \(kind): \(r.stdout)\(r.stderr)")
        }
        let out = daemon.root + "/statements"
        let statements = try CommandRunner.run(CommandRunner.ddexd, ["statements", "--period", "2020-06", "--format", "json", "--out", out,
                                                                     "--config", daemon.configPath])
        XCTAssertEqual(statements.status, 0, statements.stdout + statements.stderr)
        let json = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix(".json") })
        try OracleCheck.assertMatches(golden, actual: URL(fileURLWithPath: out + "/" + json))
    }

    /// ddexd killed with SIGKILL during an SFTP upload and started again: no duplicate batch, no missing file.
    func testSIGKILLDuringAnSFTPUploadThenRestartIsExactlyOnce() throws {
        let server = try SSHServer()
        let daemon = try daemon(for: server)
        // A package with audio large enough to be caught mid-upload.
        let package = daemon.root + "/big"
        let wav = daemon.root + "/noise.wav", flac = daemon.root + "/noise.flac"
        try LargePackage.writeNoiseWAV(at: wav, seconds: 90)
        try LargePackage.encodeFLAC(wav, to: flac)
        try LargePackage.make(at: package, fixture: "packages/album-flac", flac: flac)
        // The declared durations no longer match (a warning only); the files are what counts.
        try daemon.start()
        let staging = daemon.inbound + "/.big"
        try FileManager.default.createDirectory(atPath: daemon.inbound, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: package, toPath: staging)
        XCTAssertEqual(rename(staging, daemon.inbound + "/big"), 0)
        try daemon.waitUntil("an upload is under way", timeout: 30) { self.remoteFiles(server).contains { $0.hasSuffix(".ddexd-part") } }
        daemon.kill9()
        server.waitForSessionsToEnd()
        try daemon.start()
        try daemon.waitUntil("completed after the restart", timeout: 60) { daemon.deliveryState("spotify") == "completed" }
        let files = remoteFiles(server)
        XCTAssertEqual(files.filter { $0.contains("BatchComplete_") }.count, 1, "one batch: \(files)")
        XCTAssertEqual(files.filter { $0.hasSuffix(".flac") }.count, 3, "\(files)")
        XCTAssertFalse(files.contains { $0.contains(".ddexd-part") }, "\(files)")
        let bundleJSON = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: daemon.spool + "/outbound/spotify").first { $0.hasSuffix(".bundle.json") })
        let description = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.spool + "/outbound/spotify/" + bundleJSON))) as? [String: Any]
        let folder = try XCTUnwrap(description?["folderName"] as? String)
        for file in (description?["files"] as? [[String: Any]]) ?? [] {
            let path = try XCTUnwrap(file["path"] as? String)
            XCTAssertEqual(try SSHTools.sha256(of: server.localPath("/upload/" + folder + "/" + path)), file["sha256"] as? String, path)
        }
        XCTAssertTrue(daemon.log.contains("resumed_deliveries=1"), daemon.log)
        daemon.stop()
    }

    /// The DSP's host key changes: the DSP is parked as `blocked` (status file and Prometheus), the package waits
    /// queued, the block is logged once however often it is tried, and once the key is trusted again the
    /// delivery goes out by itself.
    func testAPermanentErrorParksTheDSPAndIsLoggedOnce() throws {
        let server = try SSHServer()
        let daemon = try daemon(for: server)
        let pinned = try server.hostKeyFingerprint()
        try server.rotateHostKey()
        try daemon.start()
        try daemon.drop(fixture: "packages/album-flac")
        let statusFile = daemon.spool + "/status/ddexd.json"
        func blocked() -> [String: Any]? {
            let json = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statusFile)))) as? [String: Any]
            return ((json?["dsps"] as? [String: Any])?["spotify"] as? [String: Any])?["blocked"] as? [String: Any]
        }
        try daemon.waitUntil("the DSP is blocked") { blocked()?["code"] as? String == "SFTP_HOSTKEY_MISMATCH" }
        let message = try XCTUnwrap(blocked()?["message"] as? String)
        let offered = try server.hostKeyFingerprint()
        XCTAssertTrue(message.contains(pinned) && message.contains(offered), message)
        try daemon.waitUntil("the block is in the Prometheus file") {
            let prometheus = try String(contentsOfFile: daemon.spool + "/status/ddexd.prom", encoding: .utf8)
            return prometheus.contains("ddexd_dsp_blocked{dsp=\"spotify\"} 1")
        }
        XCTAssertEqual(try JSONSchemaCheck.problems(file: statusFile, schema: RepositoryPaths.config.appendingPathComponent("schemas/status-daemon.schema.json").path), "")
        // Tried again every max_delay_seconds (1 s here), by the delivery worker and both pollers: logged once.
        Thread.sleep(forTimeInterval: 4)
        XCTAssertEqual(daemon.deliveryState("spotify"), "queued")
        let lines = daemon.log.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("DSP blocked") }.count, 1, daemon.log)
        XCTAssertEqual(lines.filter { $0.contains("SFTP_HOSTKEY_MISMATCH") && !$0.contains("DSP blocked") && !$0.contains("debug") }.count, 0,
                       daemon.log)

        // The operator checks the new key with the DSP and trusts it: the block lifts, the package goes out.
        try server.writeKnownHosts()
        try daemon.waitUntil("delivered after the block lifted", timeout: 30) { daemon.deliveryState("spotify") == "completed" }
        try daemon.waitUntil("the block is cleared in the status file") { blocked() == nil }
        XCTAssertEqual(daemon.log.split(separator: "\n").filter { $0.contains("DSP reachable again") }.count, 1, daemon.log)
        XCTAssertEqual(daemon.stop(), 0)
    }
}
