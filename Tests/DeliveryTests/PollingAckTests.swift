import DDEXConfig
import DDEXModel
@testable import Delivery
import Foundation
import Logging
import Store
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class PollingAckTests: XCTestCase {
    // MARK: Each generation and status

    func testEachGenerationAndStatusMovesItsDelivery() throws {
        let f = try PollFixture()
        let ok18 = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-OK")
        let corrupt18 = try f.completedDelivery("p2", batchId: "20261121100000002", messageId: "MSG-CORRUPT")
        let invalid18 = try f.completedDelivery("p3", batchId: "20261121100000003", messageId: "MSG-INVALID")
        let echo17 = try f.completedDelivery("p4", batchId: "20261121100000004", messageId: "MSG-ECHO")
        let ftp14 = try f.completedDelivery("p5", batchId: "20261121100000005", messageId: "MSG-FTP14")
        let ftp16 = try f.completedDelivery("p6", batchId: "20261121100000006", messageId: "MSG-FTP16")

        // Part 3 (1.8): matched by the MessageId in the content (the fixtures' batch id is the same for all).
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", for: ok18, replacing: ["MSG-0001": ok18.messageId])
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0002_20261121100500000.xml", for: corrupt18, replacing: ["MSG-0002": corrupt18.messageId])
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0003_20261121100500000.xml", for: invalid18, replacing: ["MSG-0003": invalid18.messageId])
        // ECHO 1.7: MessageId in the ReleaseStatus.
        try f.placeAck("echo-17/ACK_20261121100000000_0094631432057.xml", for: echo17, replacing: ["MSG-0004": echo17.messageId])
        // ERN-C 1.4 / 1.6: no MessageId; the AcknowledgedFile date (and the file name) names the batch.
        try f.placeAck("ern-c-14/ACK_20261121100000000_0094631432057.xml", for: ftp14, replacing: ["20261121100000000": ftp14.batchId])
        try f.placeAck("ern-c-sftp-16/ACK_20261121100000000_0094631432057.xml", for: ftp16, replacing: ["20261121100000000": ftp16.batchId])

        let summary = f.pass()
        XCTAssertFalse(summary.hasFailures, "\(summary)")
        XCTAssertEqual(summary.acks.applied.count, 6, "\(summary.acks)")
        XCTAssertEqual(summary.acks.unmatched, [])

        let expected: [(DeliveryRecord, DeliveryState, String, String?)] = [
            (ok18, .acknowledged, "FileOK", nil),
            (corrupt18, .rejectedByDSP, "ResourceCorrupt", "Audio of track 3 is cut short"),
            (invalid18, .rejectedByDSP, "NewReleaseMessageInvalid", "cvc-complex-type.2.4.a"),
            (echo17, .acknowledged, "FileOK", nil),
            (ftp14, .acknowledged, "FileOK", nil),
            (ftp16, .rejectedByDSP, "ResourceMissing", "0094631432057_01_002.flac was not found"),
        ]
        for (delivery, state, status, words) in expected {
            let now = try XCTUnwrap(f.deliveries.delivery(delivery.id))
            XCTAssertEqual(now.state, state, delivery.messageId)
            XCTAssertEqual(now.ackStatus, status, delivery.messageId)
            XCTAssertEqual(now.ackFile?.hasPrefix(delivery.remoteFolder + "/acknowledgements/ACK_"), true, "\(now.ackFile ?? "nil")")
            if let words {
                XCTAssertTrue(now.ackText?.contains(words) == true, "\(delivery.messageId): \(now.ackText ?? "nil")")
            }
            let events = try f.packages.timeline(delivery.packageId).filter { $0.dsp == "spotify" }
            XCTAssertEqual(events.map(\.event), [state.rawValue], delivery.messageId)
            XCTAssertTrue(events.first?.detail?.hasPrefix(status) == true, "\(events)")
        }
        let corrupt = try XCTUnwrap(f.deliveries.delivery(corrupt18.id))
        XCTAssertTrue(corrupt.ackText?.contains("GBAYE0601498") == true && corrupt.ackText?.contains("ResendXmlAndResources") == true,
                      corrupt.ackText ?? "nil")
        XCTAssertEqual(corrupt.ackAt, "2026-11-21T10:05:00.000Z", "the DSP's creation time is kept")

        // Every file is archived whole under archive/acks/<dsp>/<remote folder>, and recorded with its SHA-256.
        let rows = try f.acks.acks(dsp: "spotify")
        XCTAssertEqual(rows.count, 6)
        for row in rows {
            XCTAssertEqual(row.outcome, .applied)
            let archived = try XCTUnwrap(row.archivedPath)
            XCTAssertEqual(archived, f.archive + "/acks/spotify/" + row.remotePath)
            let reference = try ReferenceTools.digest(f.dropBox + "/" + row.remotePath)
            XCTAssertEqual(row.sha256, reference.sha256)
            XCTAssertEqual(try ReferenceTools.digest(archived).sha256, reference.sha256)
            XCTAssertEqual(row.size, reference.size)
        }
        XCTAssertEqual(Set(rows.compactMap(\.generation)), ["ern-c-sftp/18", "ern-c-sftp/17", "ern-c/14"])
        XCTAssertTrue(f.hiddenArchiveFiles().isEmpty, "no temporary file is left: \(f.hiddenArchiveFiles())")
    }

    // MARK: Exactly once

    func testAnAckIsAppliedOnceEvenWhenPolledAgainOrTouched() throws {
        let f = try PollFixture()
        let d = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-ONCE")
        let remote = try f.placeAck("ern-c-sftp-18/ACK_MSG-0002_20261121100500000.xml", for: d, replacing: ["MSG-0002": d.messageId])
        let counter = CountingTransport(root: f.dropBox)
        XCTAssertEqual(f.pass(transport: counter).acks.applied.map(\.deliveries), [[d.id]])
        XCTAssertEqual(counter.downloads.count, 1)

        let second = f.pass(transport: counter)
        XCTAssertEqual(second.acks, AckPollSummary(), "nothing new: \(second.acks)")
        XCTAssertEqual(counter.downloads.count, 1, "a recorded file is not downloaded again")

        // A new modification time makes it look new: it is downloaded and hashed, found known, and not applied again.
        var times = [timeval(tv_sec: 1_900_000_000, tv_usec: 0), timeval(tv_sec: 1_900_000_000, tv_usec: 0)]
        XCTAssertEqual(utimes(f.dropBox + "/" + remote, &times), 0)
        let third = f.pass(transport: counter)
        XCTAssertEqual(third.acks, AckPollSummary(), "\(third.acks)")
        XCTAssertEqual(counter.downloads.count, 2)
        XCTAssertEqual(f.pass(transport: counter).acks, AckPollSummary())
        XCTAssertEqual(counter.downloads.count, 2, "the new modification time is remembered")

        XCTAssertEqual(try f.acks.acks().count, 1)
        XCTAssertEqual(try f.packages.timeline(d.packageId).filter { $0.dsp != nil }.count, 1, "one timeline event")
        XCTAssertEqual(try f.deliveries.delivery(d.id)?.state, .rejectedByDSP)
    }

    func testAFailureWhileApplyingRollsEverythingBackAndTheNextPassAppliesItOnce() throws {
        let f = try PollFixture()
        let d = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-CRASH")
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", for: d, replacing: ["MSG-0001": d.messageId])
        // The timeline insert fails inside the transaction (as a crash or a full disk would stop it half-way).
        try f.database.write { try $0.execute(sql: "ALTER TABLE package_events RENAME TO package_events_away") }
        let failed = f.pass()
        XCTAssertTrue(failed.hasFailures)
        XCTAssertEqual(failed.acks.errors.count, 1, "\(failed.acks)")
        XCTAssertEqual(failed.acks.applied, [])
        XCTAssertEqual(try f.acks.acks().count, 0, "the ack row is not kept without its effect")
        XCTAssertEqual(try f.deliveries.delivery(d.id)?.state, .completed, "nor the effect without the row")

        try f.database.write { try $0.execute(sql: "ALTER TABLE package_events_away RENAME TO package_events") }
        let counter = CountingTransport(root: f.dropBox)
        let next = f.pass(transport: counter)
        XCTAssertEqual(next.acks.applied.map(\.deliveries), [[d.id]], "\(next)")
        // Downloaded again (the remote file may have changed since), found identical to the archived copy.
        XCTAssertEqual(counter.downloads.count, 1)
        XCTAssertTrue(f.hiddenArchiveFiles().isEmpty)
        XCTAssertEqual(try f.deliveries.delivery(d.id)?.state, .acknowledged)
        XCTAssertEqual(try f.packages.timeline(d.packageId).filter { $0.dsp != nil }.map(\.event), ["acknowledged"])
        XCTAssertEqual(f.pass().acks, AckPollSummary())
    }

    func testAnInterruptedDownloadResumesFromTheLocalPartialFile() throws {
        let f = try PollFixture()
        let d = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-RESUME")
        let remote = try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", for: d, replacing: ["MSG-0001": d.messageId])
        let original = try Data(contentsOf: URL(fileURLWithPath: f.dropBox + "/" + remote))
        let archived = f.archive + "/acks/spotify/" + remote
        try FileManager.default.createDirectory(atPath: (archived as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try original.prefix(300).write(to: URL(fileURLWithPath: ArchiveDownloader.temporaryPath(for: archived)))

        let counter = CountingTransport(root: f.dropBox)
        XCTAssertEqual(f.pass(transport: counter).acks.applied.count, 1)
        XCTAssertEqual(counter.downloads, ["\(remote) from 300"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: archived)), original)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ArchiveDownloader.temporaryPath(for: archived)))
        XCTAssertEqual(try f.deliveries.delivery(d.id)?.state, .acknowledged)
    }

    func testTheSameAckInTwoFoldersIsAppliedOnceAndTheCopyRecordedAsDuplicate() throws {
        var f = try PollFixture()
        f.profile.ackFolder = "/acks/"
        let d = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-TWICE")
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", for: d, replacing: ["MSG-0001": d.messageId])
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", inFolder: "acks", replacing: ["MSG-0001": d.messageId])
        let summary = f.pass()
        XCTAssertEqual(summary.acks.applied.map(\.remotePath), [d.remoteFolder + "/acknowledgements/ACK_MSG-TWICE_20261121100500000.xml"])
        XCTAssertEqual(summary.acks.duplicates.map(\.remotePath), ["acks/ACK_MSG-TWICE_20261121100500000.xml"])
        XCTAssertFalse(summary.hasFailures)
        XCTAssertEqual(try f.acks.acks().map(\.outcome), [.applied, .duplicate])
        XCTAssertEqual(try f.packages.timeline(d.packageId).filter { $0.dsp != nil }.count, 1)
    }

    // MARK: The newest decides

    func testALaterErrorAfterFileOKRejectsAndAnOlderAckDoesNotOverrideIt() throws {
        let f = try PollFixture()
        let d = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-LATER-ERROR")
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", for: d, replacing: ["MSG-0001": d.messageId])
        XCTAssertEqual(f.pass().acks.applied.count, 1)
        XCTAssertEqual(try f.deliveries.delivery(d.id)?.state, .acknowledged)

        // Found later: the DSP reports an error, created after its FileOK.
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0002_20261121100500000.xml", for: d, as: "ACK_\(d.messageId)_20261121103000000.xml",
                       replacing: ["MSG-0002": d.messageId, "2026-11-21T10:05:00Z": "2026-11-21T10:30:00Z"])
        XCTAssertEqual(f.pass().acks.applied.map(\.deliveries), [[d.id]])
        var now = try XCTUnwrap(f.deliveries.delivery(d.id))
        XCTAssertEqual(now.state, .rejectedByDSP)
        XCTAssertEqual(now.ackStatus, "ResourceCorrupt")
        XCTAssertEqual(now.ackAt, "2026-11-21T10:30:00.000Z")

        // An acknowledgement created before the error (delivered late) is kept but does not decide.
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", for: d, as: "ACK_\(d.messageId)_20261121100000000.xml",
                       replacing: ["MSG-0001": d.messageId, "2026-11-21T10:05:00Z": "2026-11-21T10:00:00Z"])
        let stale = f.pass()
        XCTAssertEqual(stale.acks.applied.count, 1, "recorded, all entries settled")
        XCTAssertEqual(stale.acks.applied.first?.deliveries, [], "but nothing moved")
        now = try XCTUnwrap(f.deliveries.delivery(d.id))
        XCTAssertEqual(now.state, .rejectedByDSP)
        XCTAssertEqual(now.ackStatus, "ResourceCorrupt")
        let staleRow = try XCTUnwrap(f.acks.acks().last)
        XCTAssertEqual(try f.acks.entries(ackId: staleRow.id).map(\.outcome), [.stale])
        XCTAssertEqual(try f.packages.timeline(d.packageId).filter { $0.dsp != nil }.map(\.event), ["acknowledged", "rejected-by-dsp"])
        XCTAssertEqual(try f.acks.acks().count, 3, "every acknowledgement is kept")
    }

    // MARK: Unmatched

    func testAnUnmatchedAckIsKeptReportedAndAppliedWhenItsDeliveryAppears() throws {
        var f = try PollFixture()
        f.profile.ackFolder = "acks"
        // Nothing in the store names this MessageId, batch or release yet.
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", inFolder: "acks", as: "ACK_MSG-LATE_20261121100500000.xml",
                       replacing: ["MSG-0001": "MSG-LATE", "0094631432057": "5012345678900", "20261121100000000": "20261121999999999"])
        let first = f.pass()
        XCTAssertFalse(first.hasFailures, "an unmatched ack is reported, not a failure")
        XCTAssertEqual(first.acks.unmatched.count, 1, "\(first.acks)")
        let item = try XCTUnwrap(first.acks.unmatched.first)
        XCTAssertEqual(item.remotePath, "acks/ACK_MSG-LATE_20261121100500000.xml")
        XCTAssertFalse(item.retried)
        XCTAssertTrue(FileManager.default.fileExists(atPath: item.archivedPath ?? ""), "kept in the archive")
        XCTAssertEqual(try f.acks.unmatched(dsp: "spotify").count, 1)

        // Still nothing: reported again as still unmatched.
        let second = f.pass()
        XCTAssertEqual(second.acks.unmatched.map(\.retried), [true])

        // A delivery appears, but is only uploaded: not yet acknowledgeable.
        let d = try f.completedDelivery("p-late", batchId: "20261121120000000", messageId: "MSG-LATE", complete: false)
        XCTAssertEqual(f.pass().acks.unmatched.count, 1)
        let ackId = try XCTUnwrap(f.acks.acks().first?.id)
        XCTAssertEqual(try f.acks.entries(ackId: ackId).first?.note, "delivery \(d.id) is uploaded, not completed")
        XCTAssertEqual(try f.deliveries.delivery(d.id)?.state, .uploaded)

        // Completed: the next pass applies the kept acknowledgement.
        try f.deliveries.transition(d.id, .completionWritten, now: Timestamp.format())
        let applied = f.pass()
        XCTAssertEqual(applied.acks.applied.map(\.deliveries), [[d.id]], "\(applied.acks)")
        XCTAssertEqual(applied.acks.applied.first?.retried, true)
        XCTAssertEqual(applied.acks.unmatched, [])
        XCTAssertEqual(try f.deliveries.delivery(d.id)?.state, .acknowledged)
        XCTAssertEqual(try f.acks.acks().first?.outcome, .applied)
        XCTAssertEqual(f.pass().acks, AckPollSummary(), "then it is settled")
    }

    func testOldUnmatchedAcksStayRecordedButAreNoLongerTried() throws {
        var f = try PollFixture()
        f.profile.ackFolder = "acks"
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", inFolder: "acks", as: "ACK_MSG-NOT-OURS_20261121100500000.xml",
                       replacing: ["MSG-0001": "MSG-NOT-OURS", "0094631432057": "5012345678900"])
        XCTAssertEqual(f.pass().acks.unmatched.count, 1)
        let transport = LocalFolderTransport(root: f.dropBox)
        let later = Date().addingTimeInterval(31 * 24 * 3600)
        let poller = AckPoller(database: f.database, transport: transport, profile: f.profile, archiveRoot: f.archive,
                               logger: f.logger, now: { later })
        XCTAssertEqual(poller.poll(), AckPollSummary())
        poller.unmatchedRetryWindow = 60 * 24 * 3600
        XCTAssertEqual(poller.poll().unmatched.map(\.retried), [true])
        XCTAssertEqual(try f.acks.acks().map(\.outcome), [.unmatched], "still recorded")
    }

    // MARK: Hostile input

    func testHostileAcksAreInvalidReportedAndThePassGoesOn() throws {
        let f = try PollFixture()
        let d = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-AMONG-HOSTILE")
        let hostile = ["ACK_doctype.xml": "XML_DOCTYPE_FORBIDDEN", "ACK_truncated.xml": "XML_TRUNCATED",
                       "ACK_unknown-root.xml": "ACK_UNKNOWN_FORMAT", "ACK_empty.xml": "XML_EMPTY", "ACK_no-status.xml": "ACK_EMPTY"]
        for name in hostile.keys { try f.placeAck("hostile/" + name, for: d) }
        try f.placeAck("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml", for: d, as: "ACK_zz_\(d.messageId)_20261121100500000.xml",
                       replacing: ["MSG-0001": d.messageId])
        // Names the poller must not take: not ACK_*.xml, or a folder.
        try f.write("not an ack", to: d.remoteFolder + "/acknowledgements/README.txt")
        try FileManager.default.createDirectory(atPath: f.dropBox + "/" + d.remoteFolder + "/acknowledgements/ACK_folder.xml",
                                                withIntermediateDirectories: true)

        let summary = f.pass()
        XCTAssertTrue(summary.hasFailures)
        XCTAssertEqual(summary.acks.applied.map(\.deliveries), [[d.id]], "the good file in the same folder is applied")
        var codes: [String: String] = [:]
        for item in summary.acks.invalid {
            codes[String(item.remotePath.split(separator: "/").last ?? "")] = item.code
            XCTAssertTrue(FileManager.default.fileExists(atPath: item.archivedPath ?? ""), "archived: \(item)")
        }
        XCTAssertEqual(codes, hostile)
        let rows = try f.acks.acks().filter { $0.outcome == .invalid }
        XCTAssertEqual(Set(rows.compactMap(\.errorCode)), Set(hostile.values))
        XCTAssertTrue(rows.allSatisfy { ($0.text ?? "").contains($0.remotePath) }, "the error names the file")
        XCTAssertEqual(try f.deliveries.delivery(d.id)?.state, .acknowledged)

        let again = f.pass()
        XCTAssertFalse(again.hasFailures, "recorded invalid files are not reported twice: \(again)")
        XCTAssertEqual(again.acks, AckPollSummary())
    }

    func testAnOversizedAckIsRefusedWithoutDownloading() throws {
        let f = try PollFixture()
        let d = try f.completedDelivery("p1", batchId: "20261121100000001", messageId: "MSG-BIG")
        try f.write(String(repeating: "<x/>", count: 1000), to: d.remoteFolder + "/acknowledgements/ACK_big.xml")
        let counter = CountingTransport(root: f.dropBox)
        let poller = AckPoller(database: f.database, transport: counter, profile: f.profile, archiveRoot: f.archive, logger: f.logger)
        poller.maxAckBytes = 1000
        let summary = poller.poll()
        XCTAssertEqual(summary.invalid.map(\.code), ["POLL_ACK_TOO_LARGE"])
        XCTAssertEqual(counter.downloads, [])
        XCTAssertEqual(poller.poll(), AckPollSummary())
    }

    func testAServerThatCannotBeReachedIsAFailureOfThatDSPOnly() throws {
        let f = try PollFixture()
        var other = f.profile
        other.name = "other"
        let pass = PollPass(database: f.database, archiveRoot: f.archive, makeTransport: { profile in
            if profile.name == "other" { throw TransportError(.connection, code: "SFTP_CONNECT_FAILED", message: "refused (test)") }
            return LocalFolderTransport(root: profile.transport.remoteRoot)
        }, logger: f.logger)
        let summaries = pass.run(profiles: [f.profile, other])
        XCTAssertEqual(summaries["other"]?.errors.map(\.code), ["SFTP_CONNECT_FAILED"])
        XCTAssertEqual(summaries["other"]?.hasFailures, true)
        XCTAssertEqual(summaries["spotify"]?.hasFailures, false)
    }

    // MARK: End to end

    func testADeliveryMadeByTheRunnerIsAcknowledgedFromItsBatchFolder() throws {
        let fixture = try DeliveryFixture()
        let (bundle, record) = try fixture.queue()
        XCTAssertEqual(fixture.pass().run(profiles: [fixture.profile])["spotify"]?.completed, [record.id])
        let completed = try XCTUnwrap(fixture.store.delivery(record.id))
        XCTAssertEqual(completed.state, .completed)

        let text = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("acks/ern-c-sftp-18/ACK_MSG-0002_20261121100500000.xml"), encoding: .utf8)
            .replacingOccurrences(of: "MSG-0002", with: completed.messageId)
        let folder = fixture.dropBox + "/" + bundle.folderName + "/acknowledgements"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: folder + "/ACK_\(completed.messageId)_20261121100500000.xml", atomically: true, encoding: .utf8)

        let pass = PollPass(database: fixture.database, archiveRoot: fixture.spool + "/archive", makeTransport: TransportFactory.make,
                            logger: PollFixture.quietLogger)
        let summary = pass.run(profiles: [fixture.profile])["spotify"]
        XCTAssertEqual(summary?.acks.applied.map(\.deliveries), [[record.id]], "\(String(describing: summary))")
        let rejected = try XCTUnwrap(fixture.store.delivery(record.id))
        XCTAssertEqual(rejected.state, .rejectedByDSP)
        XCTAssertEqual(rejected.ackStatus, "ResourceCorrupt")
        let last = try XCTUnwrap(fixture.packages.timeline("pkg-1").last)
        XCTAssertEqual(last.event, "rejected-by-dsp")
        XCTAssertEqual(last.dsp, "spotify")
        XCTAssertTrue(last.detail?.contains("Audio of track 3 is cut short") == true, last.detail ?? "nil")
    }
}

// MARK: - Support

/// A store, a drop box and a local-folder DSP profile for polling tests; deliveries are put straight into
/// the store in the state a test needs.
struct PollFixture {
    let directory: TemporaryDirectory
    let database: StoreDatabase
    let deliveries: DeliveryStore
    let packages: PackageStore
    let acks: AcknowledgementStore
    var profile: DSPProfile
    let logger = PollFixture.quietLogger

    var dropBox: String { directory.path + "/dropbox" }
    var archive: String { directory.path + "/spool/archive" }

    static var quietLogger: Logger {
        var logger = Logger(label: "test.poll")
        logger.logLevel = .critical
        return logger
    }

    init(dsrFolder: String? = nil, afterFetch: DSPProfile.DSRAfterFetch = .keep) throws {
        directory = try TemporaryDirectory(prefix: "poll")
        try FileManager.default.createDirectory(atPath: directory.path + "/spool/state", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.path + "/dropbox", withIntermediateDirectories: true)
        database = try StoreDatabase(path: directory.path + "/spool/state/ddexd.sqlite")
        deliveries = DeliveryStore(database: database)
        packages = PackageStore(database: database)
        acks = AcknowledgementStore(database: database)
        profile = DSPProfile(name: "spotify", recipientDPID: DPID("PADPIDA2011072101T")!, recipientName: "Spotify",
                             transport: TransportSettings(kind: .local, remoteRoot: directory.path + "/dropbox"),
                             dsrFolder: dsrFolder, dsrAfterFetch: afterFetch)
    }

    /// A delivery of its own package, run through the state machine to `completed` (or `uploaded`).
    func completedDelivery(_ packageId: String, releaseId: String = "0094631432057", batchId: String, messageId: String,
                           complete: Bool = true) throws -> DeliveryRecord
    {
        let now = Timestamp.format()
        try packages.receive(id: packageId, account: "label", source: "inbound/\(packageId)", workPath: "work/\(packageId)", now: now)
        let queued = try deliveries.enqueue(NewDelivery(packageId: packageId, dsp: profile.name, releaseId: releaseId, kind: .newRelease,
                                                        batchId: batchId, messageId: messageId, bundlePath: "outbound/\(batchId)",
                                                        remoteFolder: batchId, files: []), now: now)
        try deliveries.transition(queued.id, .startUpload, now: now)
        var record = try deliveries.transition(queued.id, .filesVerified, now: now)
        if complete { record = try deliveries.transition(queued.id, .completionWritten, now: now) }
        return record
    }

    /// Copies an ack fixture into the delivery's `acknowledgements/` folder; returns its remote path.
    @discardableResult
    func placeAck(_ fixture: String, for delivery: DeliveryRecord, as name: String? = nil, replacing: [String: String] = [:]) throws -> String {
        try placeAck(fixture, inFolder: delivery.remoteFolder + "/acknowledgements", as: name, replacing: replacing)
    }

    @discardableResult
    func placeAck(_ fixture: String, inFolder folder: String, as name: String? = nil, replacing: [String: String] = [:]) throws -> String {
        var data = try Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("acks/" + fixture))
        var fileName = name ?? String(fixture.split(separator: "/").last ?? "")
        if !replacing.isEmpty {
            var text = String(decoding: data, as: UTF8.self)
            for (old, new) in replacing {
                text = text.replacingOccurrences(of: old, with: new)
                if name == nil { fileName = fileName.replacingOccurrences(of: old, with: new) }
            }
            data = Data(text.utf8)
        }
        let remote = folder + "/" + fileName
        try directory.write(data, to: "dropbox/" + remote)
        return remote
    }

    func write(_ text: String, to remote: String) throws {
        try directory.write(Data(text.utf8), to: "dropbox/" + remote)
    }

    func pass(transport: (any DeliveryTransport & Sendable)? = nil) -> DSPPollSummary {
        let pass = PollPass(database: database, archiveRoot: archive, makeTransport: { profile in
            if let transport { return transport }
            return LocalFolderTransport(root: profile.transport.remoteRoot)
        }, logger: logger)
        return pass.run(profile: profile)
    }

    /// Hidden (temporary) files left in the archive.
    func hiddenArchiveFiles() -> [String] {
        guard let e = FileManager.default.enumerator(atPath: archive) else { return [] }
        var out: [String] = []
        while let path = e.nextObject() as? String {
            if (path as NSString).lastPathComponent.hasPrefix(".") { out.append(path) }
        }
        return out
    }
}

/// A local-folder transport that records every download (remote path and resume offset).
final class CountingTransport: DeliveryTransport, @unchecked Sendable {
    let inner: LocalFolderTransport
    private let lock = NSLock()
    private var recorded: [String] = []

    init(root: String) { inner = LocalFolderTransport(root: root) }

    var downloads: [String] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func connect() throws { try inner.connect() }
    func close() { inner.close() }
    func makeDirectories(_ path: String) throws { try inner.makeDirectories(path) }
    func fileSize(_ path: String) throws -> UInt64? { try inner.fileSize(path) }
    func list(_ directory: String) throws -> [RemoteEntry] { try inner.list(directory) }
    func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64) throws {
        try inner.upload(localPath, to: remotePath, resumeFrom: offset)
    }
    func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64) throws {
        lock.lock()
        recorded.append("\(remotePath) from \(offset)")
        lock.unlock()
        try inner.download(remotePath, to: localPath, resumeFrom: offset)
    }
    func rename(_ source: String, to destination: String) throws { try inner.rename(source, to: destination) }
    func remove(_ path: String) throws { try inner.remove(path) }
}
