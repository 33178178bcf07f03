import DDEXModel
import Store
import XCTest

/// `PackageRepository` and `MessageIdRepository` (the packages subsystem), on SQLite and on PostgreSQL.
final class PackageRepositoryContractTests: RepositoryContractTestCase {
    private let now = ContractFixtures.now

    func testReceiveIsIdempotentByIdAndStartsTheTimeline() {
        onEachEngine { store in
            let first = try store.packages.receive(id: "pkg-1", account: "label", source: "inbound/label/a", workPath: "work/pkg-1", now: now)
            XCTAssertEqual(first.state, .received)
            XCTAssertEqual([first.account, first.source, first.workPath, first.createdAt, first.updatedAt],
                           ["label", "inbound/label/a", "work/pkg-1", now, now])
            XCTAssertEqual(first.problems, [])
            XCTAssertFalse(first.takedown)
            XCTAssertNil(first.releaseId)
            let again = try store.packages.receive(id: "pkg-1", account: "other", source: "inbound/other", workPath: "work/other",
                                                   now: ContractFixtures.time(60))
            XCTAssertEqual(again, first, "a restart re-claiming the work folder gets the existing record back")
            XCTAssertEqual(try store.packages.timeline("pkg-1"), [PackageEvent(at: now, event: "received", detail: "inbound/label/a")])
        }
    }

    func testATransitionStoresItsChangesAndATimelineEntry() {
        onEachEngine { store in
            try store.receive("pkg-1")
            let release = Release(catalogNumber: "CAT-1", title: "Album", displayArtist: "Artist", artists: [], label: "Label",
                                  genre: "Pop", releaseType: "Album", tracks: [], deals: [], takedown: true)
            let problems = [Problem.warning("DURATION_MISMATCH", at: "release.json: tracks[0]", "off by 2 s")]
            let later = ContractFixtures.time(60)
            let valid = try store.packages.transition("pkg-1", .validationPassed, now: later, release: release, releaseJSON: "{}",
                                                      problems: problems, workPath: "work/moved", detail: "checked")
            XCTAssertEqual(valid.state, .valid)
            XCTAssertEqual([valid.releaseId, valid.title, valid.displayArtist, valid.releaseJSON], ["CAT-1", "Album", "Artist", "{}"])
            XCTAssertTrue(valid.takedown)
            XCTAssertEqual(valid.problems, problems)
            XCTAssertEqual(valid.workPath, "work/moved")
            XCTAssertEqual([valid.createdAt, valid.updatedAt], [now, later])
            XCTAssertEqual(try store.packages.package("pkg-1"), valid)
            XCTAssertEqual(try store.packages.timeline("pkg-1").last, PackageEvent(at: later, event: "valid", detail: "checked"))

            let built = try store.packages.transition("pkg-1", .bundlesBuilt, now: later)
            XCTAssertEqual(built.problems, problems, "nil changes leave their columns as they are")
            XCTAssertEqual(built.releaseJSON, "{}")
            XCTAssertEqual(built.workPath, "work/moved")
        }
    }

    func testAnEventTheStateDoesNotAllowIsRefusedAndChangesNothing() {
        onEachEngine { store in
            let received = try store.receive("pkg-1")
            assertInvalidTransition(try store.packages.transition("pkg-1", .bundlesBuilt, now: ContractFixtures.time(60),
                                                                  workPath: "work/elsewhere"))
            XCTAssertEqual(try store.packages.package("pkg-1"), received)
            XCTAssertEqual(try store.packages.timeline("pkg-1").map(\.event), ["received"])
            try store.packages.transition("pkg-1", .validationFailed, now: now)
            assertInvalidTransition(try store.packages.transition("pkg-1", .validationPassed, now: now))
            XCTAssertEqual(try store.packages.package("pkg-1")?.state, .rejected)
        }
    }

    func testUnknownIdsAreEmptyToLookupsAndMisuseToStateChanges() {
        onEachEngine { store in
            XCTAssertNil(try store.packages.package("nope"))
            XCTAssertEqual(try store.packages.timeline("nope"), [])
            assertStoreError(.misuse, try store.packages.transition("nope", .validationPassed, now: now))
        }
    }

    func testRecordAddsATimelineEntryWithoutChangingTheState() {
        onEachEngine { store in
            let received = try store.receive("pkg-1")
            let progress = PackageEvent(at: ContractFixtures.time(5), event: "uploading", dsp: "spotify", detail: "3 files")
            try store.packages.record("pkg-1", progress)
            XCTAssertEqual(try store.packages.timeline("pkg-1").map(\.event), ["received", "uploading"])
            XCTAssertEqual(try store.packages.timeline("pkg-1").last, progress)
            XCTAssertEqual(try store.packages.package("pkg-1"), received)
        }
    }

    func testPackagesInStatesComeOldestFirstAndCountsGroupByState() {
        onEachEngine { store in
            try store.receive("pkg-c", now: ContractFixtures.time(20))
            try store.receive("pkg-b", now: ContractFixtures.time(10))
            try store.receive("pkg-a", now: ContractFixtures.time(10))
            try store.receive("pkg-d", now: ContractFixtures.time(0))
            try store.packages.transition("pkg-d", .validationPassed, now: now)
            try store.packages.transition("pkg-c", .validationFailed, now: now)
            XCTAssertEqual(try store.packages.packages(in: [.received]).map(\.id), ["pkg-a", "pkg-b"], "created_at, then id")
            XCTAssertEqual(try store.packages.packages(in: [.received, .valid, .rejected]).map(\.id), ["pkg-d", "pkg-a", "pkg-b", "pkg-c"])
            XCTAssertEqual(try store.packages.packages(in: [.done]), [])
            XCTAssertEqual(try store.packages.packages(in: []), [])
            XCTAssertEqual(try store.packages.counts(), [.received: 2, .valid: 1, .rejected: 1])
        }
    }

    func testMessageIdsAreNeverIssuedTwicePerSender() {
        onEachEngine { store in
            XCTAssertTrue(try store.messageIds.claim(sender: "PADPIDA2014122301Q", messageId: "M1", now: now))
            XCTAssertFalse(try store.messageIds.claim(sender: "PADPIDA2014122301Q", messageId: "M1", now: ContractFixtures.time(1)))
            XCTAssertTrue(try store.messageIds.claim(sender: "PADPIDA2011111602K", messageId: "M1", now: now))
            XCTAssertTrue(try store.messageIds.claim(sender: "PADPIDA2014122301Q", messageId: "M2", now: now))
        }
    }
}
