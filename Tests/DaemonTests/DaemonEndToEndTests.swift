import Daemon
import Foundation
import Store
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The real `ddexd run` binary on a private spool, delivering into local drop boxes.
final class DaemonEndToEndTests: XCTestCase {
    func testDroppedPackageIsDeliveredToEveryDSPAndStatusFilesTellTheTruth() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        try daemon.drop(fixture: "packages/album-flac")
        try daemon.waitUntil("both DSPs completed") {
            daemon.deliveryState("spotify") == "completed" && daemon.deliveryState("youtube") == "completed"
        }
        let files = daemon.dropBoxFiles()
        XCTAssertEqual(files.filter { $0.hasSuffix("BatchComplete_" + (($0 as NSString).pathComponents[1]) + ".xml") }.count, 2, "\(files)")
        XCTAssertFalse(files.contains { $0.contains(".ddexd-part") })
        // The inbound folder is empty again; the package waits in work/ until acknowledged.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: daemon.inbound).filter { !$0.hasPrefix(".") }, [])
        try daemon.waitUntil("the heartbeat counts the package") {
            let status = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.spool + "/status/ddexd.json"))) as? [String: Any]
            return ((status?["dsps"] as? [String: Any])?["spotify"] as? [String: Any])?["delivered"] as? Int == 1
        }
        let schemas = RepositoryPaths.config.appendingPathComponent("schemas")
        XCTAssertEqual(try JSONSchemaCheck.problems(file: daemon.spool + "/status/ddexd.json", schema: schemas.appendingPathComponent("status-daemon.schema.json").path), "")
        let packageFile = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: daemon.spool + "/status/packages").first { $0.hasSuffix(".json") })
        XCTAssertEqual(try JSONSchemaCheck.problems(file: daemon.spool + "/status/packages/" + packageFile,
                                                    schema: schemas.appendingPathComponent("status-package.schema.json").path), "")
        let prom = try String(contentsOfFile: daemon.spool + "/status/ddexd.prom", encoding: .utf8)
        XCTAssertTrue(prom.contains("ddexd_dsp_deliveries{dsp=\"spotify\",outcome=\"delivered\"} 1"), prom)
        XCTAssertEqual(daemon.stop(), 0)
        XCTAssertTrue(daemon.log.contains("ddexd stopped"), daemon.log)
    }

    /// The full loop over local drop boxes: package → bundle on the DSP side → the DSP's ack → status files
    /// say acknowledged (or rejected, in the DSP's words) → a DSR report with its semaphore → loaded once.
    func testAcknowledgementsAndReportsComeBack() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        try daemon.drop(fixture: "packages/album-flac")
        try daemon.waitUntil("delivered") { daemon.deliveryState("spotify") == "completed" && daemon.deliveryState("youtube") == "completed" }
        try daemon.acknowledge(dsp: "spotify")
        try daemon.acknowledge(dsp: "youtube", status: "ResourceCorrupt", text: "Audio of track 3 is cut short")
        try daemon.waitUntil("acknowledged and rejected") {
            daemon.deliveryState("spotify") == "acknowledged" && daemon.deliveryState("youtube") == "rejected-by-dsp"
        }
        let youtube = try XCTUnwrap((daemon.packageStatuses().first?["dsps"] as? [String: Any])?["youtube"] as? [String: Any])
        let ack = try XCTUnwrap(youtube["ack"] as? [String: Any])
        XCTAssertEqual(ack["status"] as? String, "ResourceCorrupt")
        XCTAssertTrue((ack["text"] as? String)?.contains("Audio of track 3 is cut short") ?? false, "\(ack)")
        try daemon.waitUntil("the package is done and archived") { daemon.packageStatuses().first?["state"] as? String == "done" }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: daemon.spool + "/archive/packages").count, 1)

        // A DSR report from the DSP, with its semaphore.
        let reports = daemon.dropBox + "/spotify/reports"
        let generated = GoldenReport.seed9TwoGzipFilesNegative.folder.path
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        let parts = try FileManager.default.contentsOfDirectory(atPath: generated).filter { $0.hasPrefix("DSR_") }.sorted()
        XCTAssertEqual(parts.count, 2)
        for part in parts { try FileManager.default.copyItem(atPath: generated + "/" + part, toPath: reports + "/" + part) }
        let semaphore = parts[0].replacingOccurrences(of: "_1of2_", with: "_").replacingOccurrences(of: ".tsv.gz", with: ".ctrl")
        FileManager.default.createFile(atPath: reports + "/" + semaphore, contents: Data())
        try daemon.waitUntil("the report is loaded and moved to processed/") {
            FileManager.default.fileExists(atPath: reports + "/processed/" + parts[1])
        }
        let db = try Database(path: daemon.spool + "/state/ddexd.sqlite")
        defer { db.close() }
        XCTAssertEqual(try db.scalarInt("SELECT COUNT(*) FROM dsr_reports"), 1)
        XCTAssertEqual(try db.scalarInt("SELECT COUNT(*) FROM dsr_usage_lines"), Int64(try GoldenReport.seed9TwoGzipFilesNegative.usageLineCount()))
    }

    func testInvalidPackageIsRejectedWholeWithItsReport() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        try daemon.drop(fixture: "hostile/isrc-invalid", as: "bad-release")
        try daemon.waitUntil("the package is rejected") {
            FileManager.default.fileExists(atPath: daemon.spool + "/rejected/label/bad-release.report.json")
        }
        let original = RepositoryPaths.fixtures.appendingPathComponent("hostile/isrc-invalid/release.json").path
        XCTAssertEqual(try ReferenceTools.digest(daemon.spool + "/rejected/label/bad-release/release.json").sha256,
                       try ReferenceTools.digest(original).sha256, "nothing in a rejected package changes")
        let report = try String(contentsOfFile: daemon.spool + "/rejected/label/bad-release.report.json", encoding: .utf8)
        XCTAssertTrue(report.contains("ISRC_INVALID"), report)
        try daemon.waitUntil("status says rejected") { daemon.packageStatuses().first?["state"] as? String == "rejected" }
        XCTAssertEqual(daemon.dropBoxFiles(), [])
    }

    /// SIGKILL at several points of the flow, then a restart: every DSP gets exactly one complete batch.
    func testSIGKILLAtAnyPointThenRestartDeliversExactlyOnce() throws {
        for delay in [0, 60_000, 150_000, 400_000] as [UInt32] {
            let daemon = try DaemonHarness()
            try daemon.start()
            try daemon.drop(fixture: "packages/album-flac")
            usleep(delay)
            daemon.kill9()
            try daemon.start()
            try daemon.waitUntil("both DSPs completed after the restart (killed after \(delay) µs)") {
                daemon.deliveryState("spotify") == "completed" && daemon.deliveryState("youtube") == "completed"
            }
            let files = daemon.dropBoxFiles()
            XCTAssertEqual(files.filter { $0.contains("BatchComplete_") }.count, 2, "one batch per DSP, killed after \(delay) µs: \(files)")
            XCTAssertEqual(files.filter { $0.hasSuffix(".flac") }.count, 6, "\(files)")
            XCTAssertFalse(files.contains { $0.contains(".ddexd-part") }, "\(files)")
            for dsp in ["spotify", "youtube"] {
                let outbound = try FileManager.default.contentsOfDirectory(atPath: daemon.spool + "/outbound/" + dsp)
                XCTAssertEqual(outbound.filter { !$0.hasSuffix(".bundle.json") }.count, 1, "one bundle for \(dsp): \(outbound)")
            }
            let db = try Database(path: daemon.spool + "/state/ddexd.sqlite")
            XCTAssertEqual(try db.scalarInt("SELECT COUNT(*) FROM packages"), 1)
            XCTAssertEqual(try db.scalarInt("SELECT COUNT(*) FROM deliveries"), 2)
            db.close()
            daemon.stop()
        }
    }

    func testSIGHUPAppliesAGoodConfigurationAndRefusesABrokenOne() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        // A good change: a second account.
        try daemon.writeConfig(accounts: "[accounts.label]\ncommission_bp = 1500\n[accounts.second]\n")
        daemon.signal(SIGHUP)
        try daemon.waitUntil("reloaded") { daemon.log.contains("configuration reloaded") }
        XCTAssertTrue(daemon.log.contains("accounts=label,second"), daemon.log)
        // A broken one: refused, the old one stays, and work goes on.
        try daemon.writeConfig(extra: "[daemon]\nrescan_seconds = \"often\"\n")
        daemon.signal(SIGHUP)
        try daemon.waitUntil("refused") { daemon.log.contains("the new configuration is refused") }
        XCTAssertTrue(daemon.process?.isRunning ?? false)
        try FileManager.default.createDirectory(atPath: daemon.spool + "/inbound/second", withIntermediateDirectories: true)
        let staging = daemon.spool + "/inbound/second/.x"
        try FileManager.default.copyItem(atPath: RepositoryPaths.fixtures.appendingPathComponent("packages/album-flac").path, toPath: staging)
        XCTAssertEqual(rename(staging, daemon.spool + "/inbound/second/album"), 0)
        try daemon.waitUntil("the second account's package is delivered under the configuration still in force") {
            daemon.deliveryState("spotify") == "completed"
        }
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testSystemdNotificationsReachTheNotifySocket() throws {
        let daemon = try DaemonHarness()
        let socketPath = daemon.root + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }
        func next(_ prefix: String) -> String? {
            for _ in 0..<50 { if let m = receive(), m.hasPrefix(prefix) { return m } }
            return nil
        }
        try daemon.start(environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "1000000"])
        let ready = next("READY=1")
        XCTAssertNotNil(ready)
        XCTAssertTrue(ready?.contains("STATUS=watching 1 inbound folder(s), 2 DSP(s)") ?? false, ready ?? "")
        XCTAssertNotNil(next("WATCHDOG=1"))
        XCTAssertNotNil(next("WATCHDOG=1"), "the watchdog keeps being pinged")
        daemon.signal(SIGHUP)
        XCTAssertNotNil(next("RELOADING=1"))
        XCTAssertNotNil(next("READY=1"))
        daemon.signal(SIGTERM)
        XCTAssertNotNil(next("STOPPING=1"))
        daemon.process?.waitUntilExit()
    }

    func testASecondDaemonOnTheSameSpoolIsRefused() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        let second = try CommandRunner.run(CommandRunner.ddexd, ["run", "--config", daemon.configPath])
        XCTAssertEqual(second.status, 2)
        XCTAssertTrue(second.stderr.contains("SPOOL_LOCKED"), second.stderr)
        let deliver = try CommandRunner.run(CommandRunner.ddexd, ["deliver", "--config", daemon.configPath])
        XCTAssertEqual(deliver.status, 2)
    }
}
