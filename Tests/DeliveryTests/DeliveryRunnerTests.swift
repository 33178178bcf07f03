import DDEXConfig
import DDEXModel
@testable import Delivery
import ERN
import Foundation
import Store
import TestSupport
import XCTest

final class DeliveryRunnerTests: XCTestCase {
    func testBatchIsDeliveredByteIdenticalWithBatchCompleteLast() throws {
        let fixture = try DeliveryFixture()
        let (bundle, record) = try fixture.queue()
        let recorder = RecordingTransport(root: fixture.dropBox)
        let summary = fixture.pass(transport: { _ in recorder }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.completed, [record.id], "\(summary)")
        XCTAssertEqual(try fixture.store.delivery(record.id)?.state, .completed)

        // Every file is on the server under its final name, byte-identical; no temporary file is left.
        let expected = bundle.files.map { bundle.folderName + "/" + $0.path }.sorted()
        XCTAssertEqual(fixture.dropBoxFiles(), expected)
        for file in bundle.files {
            let remote = fixture.dropBox + "/" + bundle.folderName + "/" + file.path
            XCTAssertEqual(try ReferenceTools.digest(remote).sha256, file.sha256, file.path)
        }
        // Order: every resource before the release XML, BatchComplete renamed into place last.
        let renames = recorder.operations.filter { $0.hasPrefix("rename ") }
        XCTAssertEqual(renames.count, bundle.files.count)
        XCTAssertTrue(renames.last!.hasSuffix("BatchComplete_\(bundle.batchId).xml"), "\(renames)")
        let xmlIndex = renames.firstIndex { $0.hasSuffix(".xml") && !$0.contains("BatchComplete") }!
        XCTAssertTrue(renames[..<xmlIndex].allSatisfy { $0.contains("/resources/") }, "\(renames)")
        XCTAssertTrue(recorder.operations.filter { $0.hasPrefix("upload ") }.allSatisfy { $0.contains(".ddexd-part from") },
                      "every upload goes to a temporary name")
    }

    func testInterruptedUploadResumesFromTheRemoteSizeAndNeverShowsAPartialFileUnderItsFinalName() throws {
        let fixture = try DeliveryFixture()
        let (bundle, record) = try fixture.queue()
        let recorder = RecordingTransport(root: fixture.dropBox)
        recorder.failUploadAfterBytes = 1000
        let clock = LockedClock(Date(timeIntervalSince1970: 1_800_000_000))
        var summary = fixture.pass(transport: { _ in recorder }, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.retrying, [record.id])
        let waiting = try XCTUnwrap(fixture.store.delivery(record.id))
        XCTAssertEqual(waiting.state, .retryWait)
        XCTAssertEqual(waiting.lastErrorCode, "SFTP_CONNECTION_LOST")
        let files = fixture.dropBoxFiles()
        XCTAssertTrue(files.allSatisfy { $0.hasSuffix(".ddexd-part") }, "only a temporary file: \(files)")
        XCTAssertFalse(files.contains { $0.contains("BatchComplete") })

        // Not yet due: nothing happens.
        summary = fixture.pass(transport: { _ in recorder }, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.completed ?? [], [])
        // Due: the upload resumes from the 1000 bytes already there and completes.
        clock.advance(by: 3600)
        summary = fixture.pass(transport: { _ in recorder }, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.completed, [record.id])
        XCTAssertTrue(recorder.operations.contains { $0.hasSuffix("from 1000") }, "\(recorder.operations)")
        XCTAssertEqual(try fixture.store.delivery(record.id)?.attempts, 2)
        for file in bundle.files {
            XCTAssertEqual(try ReferenceTools.digest(fixture.dropBox + "/" + bundle.folderName + "/" + file.path).sha256, file.sha256)
        }
    }

    func testAKilledProcessIsRecoveredWithoutDuplicatesOrLosses() throws {
        let fixture = try DeliveryFixture()
        let (bundle, record) = try fixture.queue()
        // A previous process claimed the delivery, placed the first resource and died.
        _ = try fixture.store.transition(record.id, .startUpload, now: Timestamp.format())
        let files = try fixture.store.files(of: record.id)
        let transport = LocalFolderTransport(root: fixture.dropBox)
        try transport.makeDirectories((files[0].remotePath as NSString).deletingLastPathComponent)
        try transport.upload(files[0].localPath, to: files[0].remotePath, resumeFrom: 0)
        // It had also renamed the second into place but not recorded it.
        try transport.makeDirectories((files[1].remotePath as NSString).deletingLastPathComponent)
        try transport.upload(files[1].localPath, to: files[1].remotePath, resumeFrom: 0)

        let pass = fixture.pass()
        XCTAssertEqual(try pass.recoverInterrupted(), [record.id])
        let summary = pass.run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.completed, [record.id], "\(summary)")
        XCTAssertEqual(fixture.dropBoxFiles(), bundle.files.map { bundle.folderName + "/" + $0.path }.sorted())
        // A second pass finds nothing to do: the batch is never completed twice.
        XCTAssertEqual(pass.run(profiles: [fixture.profile])["spotify"]?.completed ?? [], [])
        XCTAssertThrowsError(try fixture.store.transition(record.id, .completionWritten, now: Timestamp.format()))
    }

    func testARemoteFileWithTheWrongSizeIsNeverOverwritten() throws {
        let fixture = try DeliveryFixture()
        let (_, record) = try fixture.queue()
        let first = try fixture.store.files(of: record.id)[0]
        let squatter = fixture.dropBox + "/" + first.remotePath
        try FileManager.default.createDirectory(atPath: (squatter as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("not the audio".utf8).write(to: URL(fileURLWithPath: squatter))
        let summary = fixture.pass().run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.failed, [record.id])
        let failed = try XCTUnwrap(fixture.store.delivery(record.id))
        XCTAssertEqual(failed.state, .failed)
        XCTAssertEqual(failed.lastErrorCode, "DELIVERY_REMOTE_CONFLICT")
        XCTAssertEqual(try String(contentsOfFile: squatter, encoding: .utf8), "not the audio")
    }

    func testRetryBudgetEndsInFailed() throws {
        let fixture = try DeliveryFixture(retry: RetryPolicy(maxAttempts: 2, initialDelaySeconds: 1, maxDelaySeconds: 1))
        let (_, record) = try fixture.queue()
        let clock = LockedClock(Date(timeIntervalSince1970: 1_800_000_000))
        let dropBox = fixture.dropBox
        let broken: @Sendable (DSPProfile) throws -> any DeliveryTransport = { _ in
            let t = RecordingTransport(root: dropBox)
            t.failUploadAfterBytes = 10
            return t
        }
        _ = fixture.pass(transport: broken, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(try fixture.store.delivery(record.id)?.state, .retryWait)
        clock.advance(by: 10)
        _ = fixture.pass(transport: broken, now: { clock.now }).run(profiles: [fixture.profile])
        let final = try XCTUnwrap(fixture.store.delivery(record.id))
        XCTAssertEqual(final.state, .failed)
        XCTAssertTrue(final.lastErrorMessage?.contains("retry budget of 2 attempts spent") ?? false, final.lastErrorMessage ?? "")
    }

    func testReleaseByReleaseHasNoCompletionFileAndPutsTheXMLLast() throws {
        let fixture = try DeliveryFixture(choreography: .releaseByRelease)
        let (bundle, record) = try fixture.queue()
        let recorder = RecordingTransport(root: fixture.dropBox)
        _ = fixture.pass(transport: { _ in recorder }).run(profiles: [fixture.profile])
        XCTAssertEqual(try fixture.store.delivery(record.id)?.state, .completed)
        XCTAssertFalse(fixture.dropBoxFiles().contains { $0.contains("BatchComplete") })
        XCTAssertTrue(recorder.operations.filter { $0.hasPrefix("rename") }.last!.hasSuffix("\(bundle.releaseId).xml"))
    }

    func testParallelSessionsDeliverEveryReleaseOnce() throws {
        let fixture = try DeliveryFixture(maxSessions: 3)
        var ids: [Int64] = []
        for i in 0..<5 {
            let clock = MessageTimestamp(millisecondsSinceEpoch: Int64(1_800_000_000_000 + i * 1000))
            ids.append(try fixture.queue(packageId: "pkg-\(i)", batchClock: clock).1.id)
        }
        let summary = fixture.pass().run(profiles: [fixture.profile])
        // One release: each later delivery waits for the earlier ones of the same release, so a pass
        // completes them in order as each finishes.
        XCTAssertEqual(Set(summary["spotify"]?.completed ?? []), Set(ids), "\(summary)")
        XCTAssertEqual(try fixture.store.deliveries(states: [.completed]).count, 5)
    }

    /// When the retry budget is spent, the partial upload does not stay on the server as a `.ddexd-part`.
    func testNoPartialFileIsLeftOnceTheRetryBudgetIsSpent() throws {
        let fixture = try DeliveryFixture(retry: RetryPolicy(maxAttempts: 1, initialDelaySeconds: 1, maxDelaySeconds: 1))
        let (_, record) = try fixture.queue()
        let recorder = RecordingTransport(root: fixture.dropBox)
        recorder.failUploadAfterBytes = 1000
        let summary = fixture.pass(transport: { _ in recorder }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.failed, [record.id], "\(summary)")
        XCTAssertTrue(recorder.operations.contains { $0.hasPrefix("remove") && $0.hasSuffix(".ddexd-part") }, "\(recorder.operations)")
        XCTAssertFalse(fixture.dropBoxFiles().contains { $0.hasSuffix(".ddexd-part") }, "\(fixture.dropBoxFiles())")
        XCTAssertEqual(try fixture.store.delivery(record.id)?.lastErrorCode, "SFTP_CONNECTION_LOST")
    }

    func testLocalTransportRenameNeverOverwrites() throws {
        let dir = try TemporaryDirectory()
        let t = LocalFolderTransport(root: dir.path)
        try dir.write("a", to: "a")
        try dir.write("b", to: "b")
        XCTAssertThrowsError(try t.rename("a", to: "b")) { XCTAssertEqual(($0 as? TransportError)?.code, "TRANSPORT_FILE_EXISTS") }
        XCTAssertEqual(try String(contentsOfFile: dir.path + "/b", encoding: .utf8), "b")
        try t.rename("a", to: "c")
        XCTAssertNil(try t.fileSize("a"))
        XCTAssertEqual(try t.fileSize("c"), 1)
    }
}

/// A clock tests move by hand.
final class LockedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(by seconds: Double) { lock.lock(); current += seconds; lock.unlock() }
}
