import DDEXModel
import Dispatch
import PostgresStore
import Store
import Synchronization
import XCTest

/// `DeliveryRepository`, on SQLite and on PostgreSQL, and two ddexd instances racing on one PostgreSQL database.
final class DeliveryRepositoryContractTests: RepositoryContractTestCase {
    private let now = ContractFixtures.now

    func testEnqueueIsIdempotentPerPackageAndDSP() {
        onEachEngine { store in
            try store.receive("pkg-1")
            let queued = ContractFixtures.newDelivery()
            let first = try store.deliveries.enqueue(queued, now: now)
            XCTAssertEqual(first.state, .queued)
            XCTAssertEqual(first.kind, .newRelease)
            XCTAssertEqual([first.packageId, first.dsp, first.releaseId, first.batchId, first.messageId, first.bundlePath,
                            first.remoteFolder, first.createdAt, first.updatedAt],
                           ["pkg-1", "spotify", queued.releaseId, queued.batchId, queued.messageId, queued.bundlePath,
                            queued.remoteFolder, now, now])
            XCTAssertEqual(first.attempts, 0)
            XCTAssertNil(first.nextAttemptAt)
            XCTAssertNil(first.ackAt)
            XCTAssertNil(first.ackCheckedAt)
            let again = try store.deliveries.enqueue(ContractFixtures.newDelivery(batch: "20261121100000999"), now: ContractFixtures.time(9))
            XCTAssertEqual(again, first, "a second enqueue of the same package for the same DSP returns the first")
            XCTAssertEqual(try store.deliveries.files(of: first.id), queued.files)
            XCTAssertEqual(try store.deliveries.deliveries(ofPackage: "pkg-1"), [first])
        }
    }

    func testEveryTransitionIsStoredWithItsColumns() {
        onEachEngine { store in
            let d = try store.delivery("pkg-1")
            var r = try store.deliveries.transition(d.id, .startUpload, now: ContractFixtures.time(1))
            XCTAssertEqual(r.state, .uploading)
            XCTAssertEqual(r.attempts, 1)
            XCTAssertEqual(r.updatedAt, ContractFixtures.time(1))
            r = try store.deliveries.transition(d.id, .retryableFailure, now: now, changes: DeliveryChanges(
                nextAttemptAt: .some(1000.5), lastError: .some((code: "SFTP_TIMEOUT", message: "timed out"))))
            XCTAssertEqual(r.state, .retryWait)
            XCTAssertEqual(r.nextAttemptAt, 1000.5)
            XCTAssertEqual([r.lastErrorCode, r.lastErrorMessage], ["SFTP_TIMEOUT", "timed out"])
            r = try store.deliveries.transition(d.id, .startUpload, now: now, changes: DeliveryChanges(nextAttemptAt: .some(nil),
                                                                                                        lastError: .some(nil)))
            XCTAssertEqual(r.attempts, 2)
            XCTAssertNil(r.nextAttemptAt)
            XCTAssertNil(r.lastErrorCode)
            XCTAssertNil(r.lastErrorMessage)
            try store.deliveries.markPlaced(delivery: d.id, seq: 0)
            XCTAssertEqual(try store.deliveries.files(of: d.id).map(\.placed), [true, false, false])
            try store.deliveries.transition(d.id, .filesVerified, now: now)
            XCTAssertEqual(try store.deliveries.transition(d.id, .completionWritten, now: now).state, .completed)
            r = try store.deliveries.transition(d.id, .ackRejected, now: now, changes: DeliveryChanges(
                ack: (status: "ResourceCorrupt", text: "track 3", file: "ACK_M.xml", at: ContractFixtures.time(30))))
            XCTAssertEqual(r.state, .rejectedByDSP)
            XCTAssertEqual([r.ackStatus, r.ackText, r.ackFile, r.ackAt], ["ResourceCorrupt", "track 3", "ACK_M.xml", ContractFixtures.time(30)])
            XCTAssertEqual(r.attempts, 2, "only start-upload counts an attempt")
            XCTAssertEqual(try store.deliveries.delivery(d.id), r)
        }
    }

    func testAnEventTheStateDoesNotAllowIsRefusedAndChangesNothing() {
        onEachEngine { store in
            let d = try store.delivery("pkg-1")
            assertInvalidTransition(try store.deliveries.transition(d.id, .ackAccepted, now: ContractFixtures.time(5), changes: DeliveryChanges(
                ack: (status: "FileOK", text: nil, file: "ACK.xml", at: now))))
            assertInvalidTransition(try store.deliveries.transition(d.id, .completionWritten, now: ContractFixtures.time(5)))
            XCTAssertEqual(try store.deliveries.delivery(d.id), d)
            let failed = try store.delivery("pkg-2", through: [.permanentFailure])
            assertInvalidTransition(try store.deliveries.transition(failed.id, .startUpload, now: now))
            XCTAssertEqual(try store.deliveries.transition(failed.id, .requeue, now: now).state, .queued)
        }
    }

    func testUnknownIdsAreEmptyToLookupsAndMisuseToStateChanges() {
        onEachEngine { store in
            XCTAssertNil(try store.deliveries.delivery(999))
            XCTAssertEqual(try store.deliveries.files(of: 999), [])
            XCTAssertEqual(try store.deliveries.deliveries(ofPackage: "nope"), [])
            assertStoreError(.misuse, try store.deliveries.transition(999, .startUpload, now: now))
            XCTAssertNil(try store.deliveries.match(dsp: "spotify", messageId: "nope", batchId: "nope", releaseId: "nope"))
            XCTAssertNil(try store.deliveries.match(dsp: "spotify", messageId: nil, batchId: nil, releaseId: nil))
        }
    }

    func testListingsByPackageDSPAndStateAndCounts() {
        onEachEngine { store in
            let youtube = try store.delivery("pkg-1", dsp: "youtube")
            let spotify = try store.delivery("pkg-1", dsp: "spotify", through: [.startUpload])
            let other = try store.delivery("pkg-2", dsp: "spotify")
            XCTAssertEqual(try store.deliveries.deliveries(ofPackage: "pkg-1").map(\.dsp), ["spotify", "youtube"])
            XCTAssertEqual(try store.deliveries.deliveries(dsp: "spotify", states: [.queued, .uploading]).map(\.id), [spotify.id, other.id])
            XCTAssertEqual(try store.deliveries.deliveries(states: [.queued]).map(\.id), [youtube.id, other.id])
            XCTAssertEqual(try store.deliveries.deliveries(states: []), [])
            XCTAssertEqual(try store.deliveries.counts(), ["spotify": [.uploading: 1, .queued: 1], "youtube": [.queued: 1]])
        }
    }

    func testDueTakesQueuedAndDueRetriesOldestFirstAndOneOpenDeliveryPerRelease() {
        onEachEngine { store in
            let first = try store.delivery("pkg-1", release: "R")
            let update = try store.delivery("pkg-2", release: "R")
            let other = try store.delivery("pkg-3", release: "S")
            let retry = try store.delivery("pkg-4", release: "T")
            try store.deliveries.transition(retry.id, .retryableFailure, now: now, changes: DeliveryChanges(nextAttemptAt: .some(1000)))
            let afterRetry = try store.delivery("pkg-5", release: "T")
            try store.delivery("pkg-6", dsp: "youtube", release: "U")
            let due = { (at: Double, limit: Int) in try store.deliveries.due(dsp: "spotify", now: at, limit: limit).map(\.id) }

            XCTAssertEqual(try due(999, 10), [first.id, other.id], "a later delivery of a release waits, even for a retry not due")
            XCTAssertEqual(try due(1000, 10), [first.id, other.id, retry.id])
            XCTAssertEqual(try due(1000, 2), [first.id, other.id])
            for event in [DeliveryState.Event.startUpload, .filesVerified] {
                try store.deliveries.transition(first.id, event, now: now)
                XCTAssertEqual(try due(1000, 10), [other.id, retry.id], "\(event): the release's delivery is still open")
            }
            try store.deliveries.transition(first.id, .completionWritten, now: now)
            XCTAssertEqual(try due(1000, 10), [update.id, other.id, retry.id])
            try store.deliveries.transition(retry.id, .permanentFailure, now: now)
            XCTAssertEqual(try due(1000, 10), [update.id, other.id, afterRetry.id], "a failed delivery holds nothing up")
        }
    }

    func testDueForAckListingPollsYoungDeliveriesThenBacksOff() {
        onEachEngine { store in
            let t = ContractFixtures.unix(now)
            let completed = try store.completedDelivery("pkg-c")
            let acknowledged = try store.delivery("pkg-a", through: [.startUpload, .filesVerified, .completionWritten, .ackAccepted])
            let rejected = try store.delivery("pkg-r", through: [.startUpload, .filesVerified, .completionWritten, .ackRejected])
            try store.delivery("pkg-q")
            let youtube = try store.completedDelivery("pkg-y", dsp: "youtube")
            let due = { (dsp: String, at: Double) in
                try store.deliveries.dueForAckListing(dsp: dsp, now: t + at, pollSeconds: 60, deadline: 1000, recentWindow: 500).map(\.id)
            }
            XCTAssertEqual(try due("spotify", 100), [completed.id, acknowledged.id, rejected.id])
            XCTAssertEqual(try due("youtube", 100), [youtube.id])
            XCTAssertEqual(try store.deliveries.dueForAckListing(dsp: "spotify", now: t + 100, pollSeconds: 60, deadline: 1000,
                                                                 recentWindow: 500).map(\.remoteFolder),
                           [completed, acknowledged, rejected].map(\.remoteFolder))
            try store.deliveries.markAckChecked([completed.id, acknowledged.id, rejected.id], at: t + 100)
            XCTAssertEqual(try store.deliveries.delivery(completed.id)?.ackCheckedAt, t + 100)
            XCTAssertEqual(try due("spotify", 200), [completed.id, acknowledged.id, rejected.id], "a tenth of the age is under the poll interval")
            XCTAssertEqual(try due("spotify", 700), [completed.id], "acknowledged ones are past the recent window")
            try store.deliveries.markAckChecked([completed.id], at: t + 700)
            XCTAssertEqual(try due("spotify", 770), [], "listed 70 s ago, a tenth of its age is 77 s")
            XCTAssertEqual(try due("spotify", 780), [completed.id])
            XCTAssertEqual(try due("spotify", 1001), [], "past the deadline")
            try store.deliveries.markAckChecked([], at: t + 2000)
        }
    }

    func testMatchTriesMessageIdThenBatchThenTheReleasesCompletedDelivery() {
        onEachEngine { store in
            let completed = try store.completedDelivery("pkg-1", release: "R")
            let newer = try store.delivery("pkg-2", release: "R")
            let match = { (messageId: String?, batchId: String?, releaseId: String?) in
                try store.deliveries.match(dsp: "spotify", messageId: messageId, batchId: batchId, releaseId: releaseId)?.id
            }
            XCTAssertEqual(try match(newer.messageId, completed.batchId, "R"), newer.id, "the MessageId decides first")
            XCTAssertEqual(try match("nope", completed.batchId, nil), completed.id)
            XCTAssertEqual(try match("nope", "nope", "R"), completed.id, "a completed delivery of the release before a newer one")
            XCTAssertNil(try store.deliveries.match(dsp: "youtube", messageId: completed.messageId, batchId: completed.batchId, releaseId: "R"))
            try store.deliveries.transition(completed.id, .ackAccepted, now: now)
            XCTAssertEqual(try match(nil, nil, "R"), newer.id, "none completed: the newest")
            XCTAssertNil(try match(nil, nil, "S"))
        }
    }

    /// Two instances (two connection pools on one database) start the same delivery at the same moment: one moves it,
    /// the other's transaction conflicts, runs again, and is refused on the state the first one wrote.
    func testTwoInstancesRacingOneTransitionLetExactlyOneWin() throws {
        let name = try createPostgresDatabase()
        let instances = [try makePostgresDatabase(name: name), try makePostgresDatabase(name: name)]
        let stores = instances.map(PostgresDeliveryStore.init(database:))
        let packages = PostgresPackageStore(database: instances[0])
        let now = now
        for round in 0..<20 {
            try packages.receive(id: "pkg-\(round)", account: "label", source: "s", workPath: "w", now: now)
            let delivery = try stores[0].enqueue(ContractFixtures.newDelivery(package: "pkg-\(round)", batch: "b\(round)"), now: now)
            let outcomes = Mutex<[String]>([])
            let arrived = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 2) { instance in
                // Both threads leave the barrier together, so the two transactions overlap.
                arrived.add(1, ordering: .sequentiallyConsistent)
                while arrived.load(ordering: .sequentiallyConsistent) < 2 {}
                let outcome: String
                do {
                    outcome = try stores[instance].transition(delivery.id, .startUpload, now: now).state.rawValue
                } catch is InvalidTransition {
                    outcome = "refused"
                } catch {
                    outcome = "\(error)"
                }
                outcomes.withLock { $0.append(outcome) }
            }
            XCTAssertEqual(outcomes.withLock { $0.sorted() }, ["refused", "uploading"], "round \(round)")
            XCTAssertEqual(try stores[1].delivery(delivery.id)?.attempts, 1, "round \(round): one attempt counted")
        }
    }
}
