import DDEXModel
import Store
import TestSupport
import XCTest

/// What only the SQLite engine has to show: its file keeps what was committed. The repositories' contract is checked on
/// both engines by PostgresStoreTests' `*RepositoryContractTests`.
final class DeliveryStoreTests: XCTestCase {
    func testAStoreReopenedFromItsFileHasEveryCommittedState() throws {
        let directory = try TemporaryDirectory(prefix: "delivery-store")
        let path = directory.path + "/ddexd.sqlite"
        let now = "2026-11-21T10:00:00.000Z"
        let id: Int64
        do {
            let database = try StoreDatabase(path: path)
            try PackageStore(database: database).receive(id: "pkg-1", account: "label", source: "inbound/label/a", workPath: "work/pkg-1",
                                                         now: now)
            let deliveries = DeliveryStore(database: database)
            id = try deliveries.enqueue(NewDelivery(packageId: "pkg-1", dsp: "spotify", releaseId: "0094631432057", kind: .newRelease,
                                                    batchId: "b1", messageId: "M1", bundlePath: "/spool/outbound/spotify/b1",
                                                    remoteFolder: "b1", files: []), now: now).id
            for event in [DeliveryState.Event.startUpload, .filesVerified, .completionWritten] {
                try deliveries.transition(id, event, now: now)
            }
            try deliveries.transition(id, .ackRejected, now: now, changes: DeliveryChanges(
                ack: (status: "ResourceCorrupt", text: "track 3", file: "ACK_M.xml", at: now)))
        }
        let reopened = try StoreDatabase(path: path)
        let delivery = try XCTUnwrap(DeliveryStore(database: reopened).delivery(id))
        XCTAssertEqual(delivery.state, .rejectedByDSP)
        XCTAssertEqual(delivery.ackStatus, "ResourceCorrupt")
        XCTAssertEqual(try PackageStore(database: reopened).package("pkg-1")?.state, .received)
    }
}
