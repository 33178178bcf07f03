import DDEXModel
import Store
import TestSupport
import XCTest

final class DeliveryStoreTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var database: StoreDatabase!
    private var packages: PackageStore!
    private var deliveries: DeliveryStore!
    private let now = "2026-11-21T10:00:00.000Z"

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "delivery-store")
        database = try StoreDatabase(path: directory.path + "/ddexd.sqlite")
        packages = PackageStore(database: database)
        deliveries = DeliveryStore(database: database)
    }

    /// XCTest keeps every test case object until the run ends: the pool is closed and the folder removed here.
    override func tearDown() {
        (packages, deliveries, database) = (nil, nil, nil)
        directory = nil
        super.tearDown()
    }

    private func newDelivery(package: String = "pkg-1", dsp: String = "spotify", release: String = "0094631432057",
                             batch: String = "20261121100000000") -> NewDelivery
    {
        NewDelivery(packageId: package, dsp: dsp, releaseId: release, kind: .newRelease, batchId: batch, messageId: "M-\(package)-\(dsp)",
                    bundlePath: "/spool/outbound/\(dsp)/\(batch)", remoteFolder: batch, files: [
                        DeliveryFile(seq: 0, role: .resource, localPath: "/b/r/01.flac", remotePath: "\(batch)/\(release)/resources/01.flac", size: 100),
                        DeliveryFile(seq: 1, role: .message, localPath: "/b/r.xml", remotePath: "\(batch)/\(release)/\(release).xml", size: 10),
                        DeliveryFile(seq: 2, role: .completion, localPath: "/b/bc.xml", remotePath: "\(batch)/BatchComplete_\(batch).xml", size: 5),
                    ])
    }

    func testEnqueueIsIdempotentPerPackageAndDSP() throws {
        try packages.receive(id: "pkg-1", account: "label", source: "inbound/label/a", workPath: "work/pkg-1", now: now)
        let first = try deliveries.enqueue(newDelivery(), now: now)
        let again = try deliveries.enqueue(newDelivery(batch: "20261121100000999"), now: now)
        XCTAssertEqual(first, again, "a second enqueue of the same package for the same DSP returns the first")
        XCTAssertEqual(first.state, .queued)
        XCTAssertEqual(try deliveries.files(of: first.id).map(\.role), [.resource, .message, .completion])
    }

    func testEveryTransitionIsPersistedAndInvalidOnesAreRefused() throws {
        try packages.receive(id: "pkg-1", account: "label", source: "inbound/label/a", workPath: "work/pkg-1", now: now)
        let d = try deliveries.enqueue(newDelivery(), now: now)
        XCTAssertThrowsError(try deliveries.transition(d.id, .ackAccepted, now: now)) { XCTAssertTrue($0 is InvalidTransition) }
        var r = try deliveries.transition(d.id, .startUpload, now: now)
        XCTAssertEqual(r.state, .uploading)
        XCTAssertEqual(r.attempts, 1)
        r = try deliveries.transition(d.id, .retryableFailure, now: now,
                                      changes: DeliveryChanges(nextAttemptAt: .some(1000), lastError: .some((code: "SFTP_TIMEOUT", message: "timed out"))))
        XCTAssertEqual(r.state, .retryWait)
        XCTAssertEqual(r.nextAttemptAt, 1000)
        XCTAssertEqual(r.lastErrorCode, "SFTP_TIMEOUT")
        XCTAssertEqual(try deliveries.due(dsp: "spotify", now: 999, limit: 10), [], "not yet due")
        XCTAssertEqual(try deliveries.due(dsp: "spotify", now: 1000, limit: 10).map(\.id), [d.id])
        r = try deliveries.transition(d.id, .startUpload, now: now, changes: DeliveryChanges(nextAttemptAt: .some(nil), lastError: .some(nil)))
        XCTAssertEqual(r.attempts, 2)
        XCTAssertNil(r.lastErrorCode)
        try deliveries.markPlaced(delivery: d.id, seq: 0)
        XCTAssertEqual(try deliveries.files(of: d.id).map(\.placed), [true, false, false])
        r = try deliveries.transition(d.id, .filesVerified, now: now)
        r = try deliveries.transition(d.id, .completionWritten, now: now)
        XCTAssertEqual(r.state, .completed)
        r = try deliveries.transition(d.id, .ackRejected, now: now,
                                      changes: DeliveryChanges(ack: (status: "ResourceCorrupt", text: "track 3", file: "ACK_M.xml", at: now)))
        XCTAssertEqual(r.state, .rejectedByDSP)
        XCTAssertEqual(r.ackStatus, "ResourceCorrupt")
        XCTAssertEqual(r.ackText, "track 3")
        // Reopened from disk: the same state.
        let reopened = DeliveryStore(database: try StoreDatabase(path: directory.path + "/ddexd.sqlite"))
        XCTAssertEqual(try reopened.delivery(d.id)?.state, .rejectedByDSP)
    }

    func testAReleaseIsNeverInTwoOpenDeliveriesForOneDSP() throws {
        for p in ["pkg-1", "pkg-2", "pkg-3"] {
            try packages.receive(id: p, account: "label", source: "inbound/label/\(p)", workPath: "work/\(p)", now: now)
        }
        let first = try deliveries.enqueue(newDelivery(package: "pkg-1", batch: "b1"), now: now)
        let update = try deliveries.enqueue(newDelivery(package: "pkg-2", batch: "b2"), now: now)
        let other = try deliveries.enqueue(newDelivery(package: "pkg-3", release: "5901234123457", batch: "b3"), now: now)
        XCTAssertEqual(try deliveries.due(dsp: "spotify", now: 0, limit: 10).map(\.id), [first.id, other.id])
        try deliveries.transition(first.id, .startUpload, now: now)
        XCTAssertEqual(try deliveries.due(dsp: "spotify", now: 0, limit: 10).map(\.id), [other.id])
        try deliveries.transition(first.id, .filesVerified, now: now)
        try deliveries.transition(first.id, .completionWritten, now: now)
        XCTAssertEqual(try deliveries.due(dsp: "spotify", now: 0, limit: 10).map(\.id), [update.id, other.id])
    }

    func testAckMatchingByMessageIdThenBatchThenRelease() throws {
        try packages.receive(id: "pkg-1", account: "label", source: "s", workPath: "w", now: now)
        let d = try deliveries.enqueue(newDelivery(), now: now)
        XCTAssertEqual(try deliveries.match(dsp: "spotify", messageId: "M-pkg-1-spotify", batchId: nil, releaseId: nil)?.id, d.id)
        XCTAssertEqual(try deliveries.match(dsp: "spotify", messageId: "nope", batchId: "20261121100000000", releaseId: nil)?.id, d.id)
        XCTAssertEqual(try deliveries.match(dsp: "spotify", messageId: nil, batchId: nil, releaseId: "0094631432057")?.id, d.id)
        XCTAssertNil(try deliveries.match(dsp: "youtube", messageId: "M-pkg-1-spotify", batchId: nil, releaseId: nil))
    }

    func testPackageTimelineAndStates() throws {
        try packages.receive(id: "pkg-1", account: "label", source: "inbound/label/a", workPath: "work/pkg-1", now: now)
        XCTAssertThrowsError(try packages.transition("pkg-1", .bundlesBuilt, now: now))
        let problems = [Problem.warning("DURATION_MISMATCH", at: "release.json: tracks[0]", "off by 2 s")]
        let valid = try packages.transition("pkg-1", .validationPassed, now: now, problems: problems)
        XCTAssertEqual(valid.state, .valid)
        XCTAssertEqual(valid.problems, problems)
        try packages.record("pkg-1", PackageEvent(at: now, event: "uploading", dsp: "spotify"))
        XCTAssertEqual(try packages.timeline("pkg-1").map(\.event), ["received", "valid", "uploading"])
        XCTAssertEqual(try packages.counts(), [.valid: 1])
    }

    func testMessageIdsAreNeverIssuedTwice() throws {
        let ids = MessageIdStore(database: database)
        XCTAssertTrue(try ids.claim(sender: "PADPIDA2014122301Q", messageId: "M1", now: now))
        XCTAssertFalse(try ids.claim(sender: "PADPIDA2014122301Q", messageId: "M1", now: now))
        XCTAssertTrue(try ids.claim(sender: "PADPIDA2011111602K", messageId: "M1", now: now))
    }
}
