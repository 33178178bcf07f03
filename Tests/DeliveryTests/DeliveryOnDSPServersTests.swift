import Bundling
import DDEXConfig
import DDEXModel
@testable import Delivery
import DSR
import ERN
import Foundation
import Logging
import Store
import TestSupport
import XCTest

/// The whole delivery and polling cycle against the SFTP servers DSPs run besides OpenSSH, started on loopback:
/// ProFTPD mod_sftp with its default `AllowOverwrite off`, asyncssh, and an asyncssh whose rename replaces an
/// existing target and which offers no hardlink. For each: a first delivery with the server killed in the middle
/// of a file and resumed, a second delivery of the same release, a file already in place under a final name, an
/// acknowledgement and a DSR report polled.
final class DeliveryOnDSPServersTests: XCTestCase {
    func testProFTPDWithItsDefaults() throws { try cycle(try ProFTPDServer()) }

    func testAsyncSSH() throws { try cycle(try AsyncSSHServer()) }

    func testAServerWhoseRenameReplacesAndWhichOffersNoHardlink() throws {
        try cycle(try AsyncSSHServer(renameReplaces: true, offersHardlink: false))
    }

    private func cycle(_ server: any DropBoxServer) throws {
        let fixture = try DeliveryFixture(transport: settings(server), trackBytes: 6 << 20,
                                          retry: RetryPolicy(maxAttempts: 3, initialDelaySeconds: 1, maxDelaySeconds: 1))
        let clock = LockedClock(Date(timeIntervalSince1970: 1_800_000_000))
        let name = server.software

        // 1. First delivery: the server dies in the middle of a track, comes back, and the delivery resumes.
        let (first, record) = try fixture.queue(packageId: "pkg-1", batchClock: MessageTimestamp(millisecondsSinceEpoch: 1_800_000_000_000))
        let transport = try SFTPTransport(settings: fixture.profile.transport)
        transport.uploadProgress = { sent in if sent > 2 << 20 { server.stop() } }
        var summary = fixture.pass(transport: { _ in transport }, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.retrying, [record.id], "\(name): \(summary)")
        XCTAssertTrue(remoteFiles(server).contains { $0.hasSuffix(".ddexd-part") }, "\(name): a partial file is left to resume")
        transport.uploadProgress = nil
        try server.start()
        clock.advance(by: 5)
        summary = fixture.pass(transport: { _ in transport }, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.completed, [record.id], "\(name): \(summary)")
        try assertDelivered(first, on: server)

        // 2. The same release again, as a new batch: delivered beside the first, which is untouched.
        let (second, again) = try fixture.queue(packageId: "pkg-2", batchClock: MessageTimestamp(millisecondsSinceEpoch: 1_800_000_100_000))
        summary = fixture.pass(transport: TransportFactory.make, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.completed, [again.id], "\(name): \(summary)")
        try assertDelivered(first, on: server)
        try assertDelivered(second, on: server)

        // 3. A final name already taken by another file: a conflict with its code, the file in place untouched,
        //    nothing left behind; the same file already in place is simply success.
        let (third, conflicted) = try fixture.queue(packageId: "pkg-3", batchClock: MessageTimestamp(millisecondsSinceEpoch: 1_800_000_200_000))
        let taken = server.uploadPath + "/" + third.folderName + "/" + third.files[0].path
        try server.place(Data("someone else's file".utf8), at: taken)
        let sameFile = third.files[1]
        try server.place(try Data(contentsOf: URL(fileURLWithPath: third.folder + "/" + sameFile.path)),
                         at: server.uploadPath + "/" + third.folderName + "/" + sameFile.path)
        summary = fixture.pass(transport: TransportFactory.make, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.failed, [conflicted.id], "\(name): \(summary)")
        let failed = try XCTUnwrap(fixture.store.delivery(conflicted.id))
        XCTAssertEqual(failed.lastErrorCode, "SFTP_TARGET_CONFLICT", "\(name): \(failed.lastErrorMessage ?? "")")
        XCTAssertEqual(try String(contentsOfFile: server.localPath(taken), encoding: .utf8), "someone else's file")
        XCTAssertFalse(remoteFiles(server).contains { $0.hasSuffix(".ddexd-part") }, "\(name): \(remoteFiles(server))")
        XCTAssertFalse(remoteFiles(server).contains { $0.hasPrefix(third.folderName) && $0.contains("BatchComplete") })

        // 4. The DSP acknowledges the first delivery, and publishes a sales report: both are polled over SFTP.
        var ack = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("acks/ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml"), encoding: .utf8)
        ack = ack.replacingOccurrences(of: "MSG-0001", with: record.messageId)
        try server.place(Data(ack.utf8), at: server.uploadPath + "/" + record.remoteFolder + "/acknowledgements/ACK_\(record.messageId)_20261121100500000.xml")
        let golden = GoldenReport.seed9TwoGzipFilesNegative
        for file in golden.reportFiles {
            try server.place(try Data(contentsOf: file), at: server.uploadPath + "/reports/" + file.lastPathComponent)
        }
        let key = try DSRFileName(parsing: golden.reportFiles[0].lastPathComponent).reportKey
        let base = "\(key.recipient)_\(key.sender)_\(key.service)_\(key.period)_\(key.territory)_\(key.created)"
        try server.place(Data(), at: server.uploadPath + "/reports/DSR_\(base).ctrl")
        fixture.profile.dsrFolder = "reports"
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let polled = PollPass(database: fixture.database, archiveRoot: fixture.spool + "/archive",
                              makeTransport: TransportFactory.make,
                              logger: logger).run(profile: fixture.profile)
        XCTAssertFalse(polled.hasFailures, "\(name): \(polled)")
        XCTAssertEqual(polled.acks.applied.count, 1, "\(name): \(polled.acks)")
        XCTAssertEqual(try fixture.store.delivery(record.id)?.state, .acknowledged)
        XCTAssertEqual(polled.reports.loaded.map(\.report), [key.description], "\(name): \(polled.reports)")
    }

    private func settings(_ server: any DropBoxServer) -> TransportSettings {
        TransportSettings(kind: .sftp, host: server.host, port: server.port, user: server.user,
                          privateKey: server.clientKeyPath, knownHosts: server.knownHostsPath,
                          remoteRoot: server.uploadPath, connectTimeoutSeconds: 5, maxSessions: 1)
    }

    /// Every file of the bundle is on the server byte for byte, BatchComplete included, and nothing hidden is left.
    private func assertDelivered(_ bundle: DeliveryBundle, on server: any DropBoxServer,
                                 file: StaticString = #filePath, line: UInt = #line) throws
    {
        for entry in bundle.files {
            let remote = server.localPath(server.uploadPath + "/" + bundle.folderName + "/" + entry.path)
            XCTAssertEqual(try SSHTools.sha256(of: remote), entry.sha256, entry.path, file: file, line: line)
        }
        let hidden = remoteFiles(server).filter { $0.hasPrefix(bundle.folderName) && ($0 as NSString).lastPathComponent.hasPrefix(".") }
        XCTAssertEqual(hidden, [], "\(server.software)", file: file, line: line)
    }

    private func remoteFiles(_ server: any DropBoxServer) -> [String] {
        let root = server.localPath(server.uploadPath)
        guard let walk = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let path = walk.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out.append(path)
            }
        }
        return out.sorted()
    }
}
