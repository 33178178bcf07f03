import DDEXConfig
import DDEXModel
@testable import Delivery
import Foundation
import Store
import TestSupport
import XCTest

/// Acknowledgement polling grows with what is new: only deliveries awaiting an acknowledgement are listed,
/// each again only once a tenth of its age has passed, and none past `ack_deadline_hours`.
final class PollingAckBackoffTests: XCTestCase {
    private final class ListCounter: DeliveryTransport, @unchecked Sendable {
        let inner: LocalFolderTransport
        private(set) var listed: [String] = []
        init(root: String) { inner = LocalFolderTransport(root: root) }
        func connect() throws { try inner.connect() }
        func close() {}
        func makeDirectories(_ path: String) throws { try inner.makeDirectories(path) }
        func fileSize(_ path: String) throws -> UInt64? { try inner.fileSize(path) }
        func list(_ directory: String) throws -> [RemoteEntry] {
            listed.append(directory)
            return try inner.list(directory)
        }
        func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64) throws {}
        func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64) throws {
            try inner.download(remotePath, to: localPath, resumeFrom: offset)
        }
        func rename(_ source: String, to destination: String) throws {}
        func remove(_ path: String) throws {}
    }

    /// Sets when the delivery completed, `hours` ago.
    private func age(_ delivery: DeliveryRecord, hours: Double, _ f: PollFixture) throws {
        let at = Timestamp.format(Date().addingTimeInterval(-hours * 3600))
        try f.database.write { db in try db.execute(sql: "UPDATE deliveries SET updated_at = ? WHERE id = ?", arguments: [at, delivery.id]) }
    }

    func testFoldersAreListedLessOftenAsDeliveriesAgeAndNotAfterTheDeadline() throws {
        var f = try PollFixture()
        f.profile.ackDeadlineHours = 48
        f.profile.ackPollSeconds = 30
        let fresh = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-FRESH")
        let dayOld = try f.completedDelivery("p2", batchId: "20261121100000002", messageId: "MSG-DAY")
        let overdue = try f.completedDelivery("p3", batchId: "20261121100000003", messageId: "MSG-OLD")
        try age(dayOld, hours: 24, f)
        try age(overdue, hours: 49, f)
        let transport = ListCounter(root: f.dropBox)
        let clock = LockedClock(Date())
        func pass() -> [String] {
            let before = transport.listed.count
            _ = AckPoller(database: f.database, transport: transport, profile: f.profile, archiveRoot: f.archive, logger: f.logger,
                          now: { clock.now }).poll()
            return Array(transport.listed[before...])
        }
        let folder = { (d: DeliveryRecord) in d.remoteFolder + "/acknowledgements" }
        XCTAssertEqual(pass(), [folder(fresh), folder(dayOld)], "never listed yet; the overdue one never")
        clock.advance(by: 60)
        XCTAssertEqual(pass(), [folder(fresh)], "a minute later only the fresh delivery is due again (every pass while young)")
        clock.advance(by: 3 * 3600)
        XCTAssertEqual(pass(), [folder(fresh), folder(dayOld)], "2.4 hours after it was listed, the day-old one is due again")

        let profile = f.profile
        XCTAssertTrue(AckPoller.isOverdue(try XCTUnwrap(f.deliveries.delivery(overdue.id)), profile: profile))
        XCTAssertFalse(AckPoller.isOverdue(try XCTUnwrap(f.deliveries.delivery(dayOld.id)), profile: profile))
    }

    /// An acknowledgement in a folder not due this pass is found on the pass the folder is due: nothing is lost,
    /// it only waits.
    func testAnAcknowledgementInAFolderNotDueIsAppliedWhenItIsDue() throws {
        let f = try PollFixture()
        let d = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-WAIT")
        try age(d, hours: 10, f)
        let transport = ListCounter(root: f.dropBox)
        let clock = LockedClock(Date())
        func pass() -> AckPollSummary {
            AckPoller(database: f.database, transport: transport, profile: f.profile, archiveRoot: f.archive, logger: f.logger,
                      now: { clock.now }).poll()
        }
        XCTAssertEqual(pass().applied.count, 0)
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", for: d, replacing: ["MSG-0001": d.messageId])
        clock.advance(by: 600)
        XCTAssertEqual(pass().applied.count, 0, "a 10-hour-old delivery is listed again after an hour")
        clock.advance(by: 3600)
        XCTAssertEqual(pass().applied.map(\.deliveries), [[d.id]])
        XCTAssertEqual(try f.deliveries.delivery(d.id)?.state, .acknowledged)
    }
}
