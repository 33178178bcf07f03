import DDEXModel
import Foundation
import Store
import TestSupport
import XCTest

/// A report of millions of lines loads in bounded transactions on the one writer while the daemon keeps its
/// heartbeat and delivers: nothing a load holds is needed by the status writer or the delivery workers.
final class DaemonDuringLoadTests: XCTestCase {
    static let lines = 2_000_000

    func testHeartbeatStaysFreshAndAPackageIsDeliveredWhileAMultiMillionLineReportLoads() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        let reports = daemon.dropBox + "/spotify/reports"
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        let staging = daemon.root + "/report"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let (path, _) = try SyntheticDSRReport.write(lines: Self.lines, into: staging)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertEqual(rename(path, reports + "/" + SyntheticDSRReport.fileName), 0)
        FileManager.default.createFile(atPath: reports + "/" + SyntheticDSRReport.semaphoreName, contents: Data())

        // The load starts once the report is archived whole.
        let archived = daemon.spool + "/archive/dsr/spotify/" + SyntheticDSRReport.fileName
        try daemon.waitUntil("the report is downloaded and loading", timeout: 60) {
            (try? FileManager.default.attributesOfItem(atPath: archived)[.size] as? Int) == size
        }
        let loadStarted = Date()
        let statusFile = daemon.spool + "/status/ddexd.json"
        var oldestHeartbeat = 0.0
        func sampleHeartbeat() {
            guard let data = FileManager.default.contents(atPath: statusFile),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let at = (json["heartbeatAt"] as? String).flatMap(Timestamp.parse)
            else { return }
            oldestHeartbeat = max(oldestHeartbeat, Date().timeIntervalSince(at))
        }
        let reader = try Database(path: daemon.spool + "/state/ddexd.sqlite")
        defer { reader.close() }
        func reportLoaded() throws -> Bool { try reader.scalarInt("SELECT count(*) FROM dsr_reports WHERE state = 'loaded'") == 1 }

        // A package dropped one second into the load is delivered to both DSPs before the load ends.
        Thread.sleep(forTimeInterval: 1)
        sampleHeartbeat()
        try daemon.drop(fixture: "packages/album-flac")
        let dropped = Date()
        try daemon.waitUntil("delivered during the load", timeout: 60) {
            sampleHeartbeat()
            return daemon.deliveryState("spotify") == "completed" && daemon.deliveryState("youtube") == "completed"
        }
        let dropToDelivered = Date().timeIntervalSince(dropped)
        XCTAssertFalse(try reportLoaded(), "the package went out while the report was still loading")
        try daemon.waitUntil("the report is loaded", timeout: 300) {
            sampleHeartbeat()
            return try reportLoaded()
        }
        let loadSeconds = Date().timeIntervalSince(loadStarted)
        print("during a \(Self.lines)-line load of \(String(format: "%.1f", loadSeconds)) s: oldest heartbeat \(String(format: "%.2f", oldestHeartbeat)) s, drop → delivered \(String(format: "%.2f", dropToDelivered)) s")
        XCTAssertLessThanOrEqual(oldestHeartbeat, 3.0, "heartbeat within 3 × status_interval_seconds (1 s)")
        XCTAssertEqual(try reader.scalarInt("SELECT usage_line_count FROM dsr_reports"), Int64((Self.lines - 4) / 100 * 98))
        XCTAssertEqual(daemon.stop(), 0)
    }
}
