import DDEXModel
import Store
import XCTest

/// `AcknowledgementRepository`, on SQLite and on PostgreSQL.
final class AcknowledgementRepositoryContractTests: RepositoryContractTestCase {
    private let now = ContractFixtures.time(100)

    private func file(_ path: String = "b1/acknowledgements/ACK_1.xml", sha256: String = "aa11", size: UInt64 = 100,
                      modified: Double? = 1234, createdAt: String? = nil, error: (code: String, message: String)? = nil) -> NewAckFile
    {
        NewAckFile(dsp: "spotify", remotePath: path, size: size, remoteModified: modified, sha256: sha256,
                   archivedPath: "archive/acks/spotify/" + path, generation: "ern-ack", createdAt: createdAt, error: error)
    }

    private func entry(_ delivery: DeliveryRecord?, success: Bool = true, status: String = "FileOK", text: String? = nil) -> AckEntryInput {
        AckEntryInput(messageId: delivery?.messageId, batchId: delivery?.batchId, releaseIds: delivery.map { [$0.releaseId] } ?? [],
                      status: status, releaseStatus: nil, text: text, isSuccess: success, deliveryId: delivery?.id)
    }

    /// The file and entry results of a file recorded now; throws for a file that was known.
    private func recorded(_ result: AckRecordResult) throws -> (AckFileRecord, [AckEntryResult]) {
        guard case let .recorded(record, results) = result else { throw ContractFailure("expected a newly recorded file, got \(result)") }
        return (record, results)
    }

    func testRecordAppliesEveryEntryToItsCompletedDelivery() {
        onEachEngine { store in
            let accepted = try store.completedDelivery("pkg-1")
            let rejected = try store.completedDelivery("pkg-2", release: "5901234123457")
            let ack = file(createdAt: "2026-11-21T10:01:00Z")
            let (record, results) = try recorded(store.acks.record(ack, entries: [
                entry(accepted), entry(rejected, success: false, status: "ResourceCorrupt", text: "track 3"),
            ], now: now))
            XCTAssertEqual(record.outcome, .applied)
            XCTAssertEqual([record.dsp, record.remotePath, record.sha256, record.generation, record.archivedPath, record.receivedAt],
                           ["spotify", ack.remotePath, "aa11", "ern-ack", ack.archivedPath, now])
            XCTAssertEqual(record.size, 100)
            XCTAssertEqual(record.remoteModified, 1234)
            XCTAssertNil(record.errorCode)
            XCTAssertEqual(results.map(\.seq), [0, 1])
            XCTAssertEqual(results.map(\.outcome), [.applied, .applied])
            XCTAssertEqual(results.map(\.deliveryId), [accepted.id, rejected.id])
            XCTAssertEqual(results.map(\.state), [.acknowledged, .rejectedByDSP])
            XCTAssertEqual(results.map(\.note), [nil, nil])
            XCTAssertEqual(try store.acks.entries(ackId: record.id).map(\.outcome), [.applied, .applied])
            XCTAssertEqual(try store.acks.entries(ackId: record.id).map(\.deliveryId), [accepted.id, rejected.id])
            let delivery = try XCTUnwrap(store.deliveries.delivery(rejected.id))
            XCTAssertEqual([delivery.ackStatus, delivery.ackText, delivery.ackFile, delivery.ackAt, delivery.updatedAt],
                           ["ResourceCorrupt", "track 3", ack.remotePath, "2026-11-21T10:01:00.000Z", now])
            XCTAssertEqual(try store.packages.timeline("pkg-2").last, PackageEvent(
                at: now, event: "rejected-by-dsp", dsp: "spotify", detail: "ResourceCorrupt: track 3 (\(ack.remotePath))"))
            XCTAssertEqual(try store.acks.acks(), [record])
            XCTAssertEqual(try store.acks.unmatched(dsp: "spotify"), [])
        }
    }

    func testAFileIsKnownByPathSizeAndModificationTimeAndNeverAppliedTwice() {
        onEachEngine { store in
            let delivery = try store.completedDelivery("pkg-1")
            let (first, _) = try recorded(store.acks.record(file(), entries: [entry(delivery)], now: now))
            XCTAssertTrue(try store.acks.isKnown(dsp: "spotify", remotePath: first.remotePath, size: 100, modified: 1234))
            XCTAssertTrue(try store.acks.isKnown(dsp: "spotify", remotePath: first.remotePath, size: 100, modified: nil))
            XCTAssertFalse(try store.acks.isKnown(dsp: "spotify", remotePath: first.remotePath, size: 100, modified: 999))
            XCTAssertFalse(try store.acks.isKnown(dsp: "spotify", remotePath: first.remotePath, size: 101, modified: 1234))
            XCTAssertFalse(try store.acks.isKnown(dsp: "youtube", remotePath: first.remotePath, size: 100, modified: 1234))
            let timeline = try store.packages.timeline("pkg-1")

            let again = try store.acks.record(file(modified: 999), entries: [entry(delivery, success: false)], now: ContractFixtures.time(200))
            XCTAssertEqual(again, .known(first))
            XCTAssertTrue(try store.acks.isKnown(dsp: "spotify", remotePath: first.remotePath, size: 100, modified: 999),
                          "the file's new modification time is stored")
            XCTAssertEqual(try store.deliveries.delivery(delivery.id)?.state, .acknowledged)
            XCTAssertEqual(try store.packages.timeline("pkg-1"), timeline)
            XCTAssertEqual(try store.acks.acks().count, 1)
        }
    }

    func testAnUnreadableFileIsStoredInvalidAndAppliesNothing() {
        onEachEngine { store in
            let delivery = try store.completedDelivery("pkg-1")
            let (record, results) = try recorded(store.acks.record(file(error: (code: "ACK_PARSE", message: "not XML")),
                                                                   entries: [entry(delivery)], now: now))
            XCTAssertEqual(record.outcome, .invalid)
            XCTAssertEqual([record.errorCode, record.text], ["ACK_PARSE", "not XML"])
            XCTAssertEqual(results, [])
            XCTAssertEqual(try store.acks.entries(ackId: record.id), [])
            XCTAssertEqual(try store.deliveries.delivery(delivery.id)?.state, .completed)
            // Its content is no reason to call a readable copy a duplicate.
            let (readable, _) = try recorded(store.acks.record(file("b1/acknowledgements/ACK_2.xml"), entries: [entry(delivery)], now: now))
            XCTAssertEqual(readable.outcome, .applied)
        }
    }

    func testTheSameContentAtAnotherPathIsADuplicate() {
        onEachEngine { store in
            let delivery = try store.completedDelivery("pkg-1")
            let (first, _) = try recorded(store.acks.record(file(), entries: [entry(delivery)], now: now))
            let (copy, results) = try recorded(store.acks.record(file("elsewhere/ACK_1.xml"), entries: [entry(delivery, success: false)],
                                                                 now: now))
            XCTAssertEqual(copy.outcome, .duplicate)
            XCTAssertEqual(copy.text, "same content as \(first.remotePath)")
            XCTAssertEqual(results, [])
            XCTAssertEqual(try store.deliveries.delivery(delivery.id)?.state, .acknowledged)
            XCTAssertEqual(try store.acks.acks(dsp: "spotify").map(\.id), [first.id, copy.id])
        }
    }

    func testEntriesWithoutACompletedDeliveryWaitUntilARetryAppliesThem() {
        onEachEngine { store in
            let uploaded = try store.delivery("pkg-u", through: [.startUpload, .filesVerified])
            let completed = try store.completedDelivery("pkg-c", release: "5901234123457")
            let entries = [entry(uploaded), entry(nil), entry(completed)]
            let (record, results) = try recorded(store.acks.record(file(), entries: entries, now: now))
            XCTAssertEqual(record.outcome, .unmatched)
            XCTAssertEqual(results.map(\.outcome), [.unmatched, .unmatched, .applied])
            XCTAssertEqual(results[0].note, "delivery \(uploaded.id) is uploaded, not completed")
            XCTAssertEqual(try store.acks.entries(ackId: record.id).map(\.deliveryId), [nil, nil, completed.id],
                           "an unmatched entry is filed under no delivery")
            XCTAssertEqual(try store.acks.unmatched(dsp: "spotify"), [record])
            XCTAssertEqual(try store.acks.unmatched(dsp: "youtube"), [])

            try store.deliveries.transition(uploaded.id, .completionWritten, now: now)
            let late = try store.completedDelivery("pkg-l", release: "0000000000017")
            let rematched = [entries[0], entry(late), entry(completed, success: false)]
            let (retried, retriedResults) = try store.acks.retry(ackId: record.id, entries: rematched, createdAt: nil,
                                                                 now: ContractFixtures.time(200))
            XCTAssertEqual(retried.outcome, .applied)
            XCTAssertEqual(retriedResults.map(\.seq), [0, 1], "only the entries still unmatched")
            XCTAssertEqual(retriedResults.map(\.state), [.acknowledged, .acknowledged])
            XCTAssertEqual(try store.deliveries.delivery(completed.id)?.state, .acknowledged, "applied entries are not applied again")
            XCTAssertEqual(try store.deliveries.delivery(late.id)?.ackAt, ContractFixtures.time(200), "no creation time: the time applied")
            XCTAssertEqual(try store.acks.unmatched(dsp: "spotify"), [])
            let (unchanged, nothing) = try store.acks.retry(ackId: record.id, entries: rematched, createdAt: nil, now: now)
            XCTAssertEqual(unchanged, retried)
            XCTAssertEqual(nothing, [])
            assertStoreError(.misuse, try store.acks.retry(ackId: 999, entries: [], createdAt: nil, now: now))
        }
    }

    func testAnAcknowledgementCreatedBeforeTheAppliedOneIsStale() {
        onEachEngine { store in
            let delivery = try store.completedDelivery("pkg-1")
            _ = try store.acks.record(file(createdAt: "2026-11-21T10:05:00.000Z"), entries: [entry(delivery)], now: now)
            let (older, results) = try recorded(store.acks.record(file("b1/ACK_0.xml", sha256: "bb22", createdAt: "2026-11-21T10:01:00Z"),
                                                                  entries: [entry(delivery, success: false)], now: now))
            XCTAssertEqual(older.outcome, .applied)
            XCTAssertEqual(results.map(\.outcome), [.stale])
            XCTAssertEqual(results.first?.state, .acknowledged)
            XCTAssertEqual(results.first?.note, "delivery \(delivery.id) carries an acknowledgement created later (2026-11-21T10:05:00.000Z)")
            XCTAssertEqual(try store.acks.entries(ackId: older.id).map(\.deliveryId), [delivery.id])
            XCTAssertEqual(try store.deliveries.delivery(delivery.id)?.state, .acknowledged)

            _ = try store.acks.record(file("b1/ACK_9.xml", sha256: "cc33", createdAt: "2026-11-21T10:09:00.000Z"),
                                      entries: [entry(delivery, success: false)], now: now)
            XCTAssertEqual(try store.deliveries.delivery(delivery.id)?.state, .rejectedByDSP, "the newest decides")
        }
    }

    func testAnEntryNamingAnotherDSPsDeliveryMatchesNothing() {
        onEachEngine { store in
            let youtube = try store.completedDelivery("pkg-1", dsp: "youtube")
            let (record, results) = try recorded(store.acks.record(file(), entries: [entry(youtube)], now: now))
            XCTAssertEqual(record.outcome, .unmatched)
            XCTAssertEqual(results.map(\.outcome), [.unmatched])
            XCTAssertEqual(results.map(\.deliveryId), [nil])
            XCTAssertEqual(results.map(\.note), ["no delivery \(youtube.id) for spotify"])
            XCTAssertEqual(try store.deliveries.delivery(youtube.id)?.state, .completed)
        }
    }

    func testAcksAreListedOldestFirstPerDSPOrAll() {
        onEachEngine { store in
            let a = try recorded(store.acks.record(file("a", sha256: "1"), entries: [], now: now)).0
            var youtube = file("b", sha256: "2")
            youtube.dsp = "youtube"
            let b = try recorded(store.acks.record(youtube, entries: [], now: now)).0
            let c = try recorded(store.acks.record(file("c", sha256: "3"), entries: [], now: now)).0
            XCTAssertEqual(try store.acks.acks(dsp: "spotify").map(\.id), [a.id, c.id])
            XCTAssertEqual(try store.acks.acks(dsp: "youtube").map(\.id), [b.id])
            XCTAssertEqual(try store.acks.acks().map(\.id), [a.id, b.id, c.id])
            XCTAssertEqual(try store.acks.acks().map(\.outcome), [.applied, .applied, .applied], "a file without entries has none open")
        }
    }
}
