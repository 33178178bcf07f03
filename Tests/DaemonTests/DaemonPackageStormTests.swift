import Foundation
import Store
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Exactly one owner per package: a storm of inotify events (files touched in the inbound folder and in the
/// packages), rescans every second, deliveries ending and acknowledgements arriving all ask for packages to be
/// advanced at once, and each package is still validated, bundled and queued exactly once.
final class DaemonPackageStormTests: XCTestCase {
    func testEveryPackageIsProcessedExactlyOnceUnderAStormOfEventsAndRescans() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        let count = 12
        let noise = Thread {
            // Events in the inbound folder for as long as the packages arrive and go.
            for n in 0..<2000 {
                let path = daemon.inbound + "/.noise-\(n % 7)"
                FileManager.default.createFile(atPath: path, contents: Data("\(n)".utf8))
                try? FileManager.default.removeItem(atPath: path)
                usleep(1000)
            }
        }
        noise.start()
        for n in 0..<count {
            try daemon.drop(fixture: "packages/album-flac", as: "album-\(n)")
            // Touch the package folder after the drop too: more events for a folder being claimed.
            FileManager.default.createFile(atPath: daemon.inbound + "/album-\(n)/.touch", contents: nil)
        }
        try daemon.waitUntil("every package delivered to both DSPs", timeout: 120) {
            let statuses = daemon.packageStatuses()
            return statuses.count == count && statuses.indices.allSatisfy {
                daemon.deliveryState("spotify", package: $0) == "completed" && daemon.deliveryState("youtube", package: $0) == "completed"
            }
        }
        for status in daemon.packageStatuses() {
            let events = ((status["timeline"] as? [[String: Any]]) ?? []).compactMap { $0["event"] as? String }
            XCTAssertEqual(events.filter { $0 == "valid" }.count, 1, "\(events)")
            XCTAssertEqual(events.filter { $0 == "built" }.count, 1, "\(events)")
            XCTAssertEqual(events.filter { $0 == "queued" }.count, 2, "\(events)")
        }
        let db = try Database(path: daemon.spool + "/state/ddexd.sqlite")
        defer { db.close() }
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM packages"), Int64(count))
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM deliveries"), Int64(2 * count))
        let batches = daemon.dropBoxFiles().filter { $0.contains("BatchComplete_") }
        XCTAssertEqual(batches.count, 2 * count, "\(batches)")
        XCTAssertFalse(daemon.log.contains("is not allowed in state"), daemon.log)
        XCTAssertFalse(daemon.log.contains("package step failed"), daemon.log)
        XCTAssertEqual(daemon.stop(), 0)
    }
}
