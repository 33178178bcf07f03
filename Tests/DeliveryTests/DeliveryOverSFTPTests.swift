import DDEXConfig
import DDEXModel
import Harness
@testable import Delivery
import Foundation
import SFTP
import Store
import TestSupport
import XCTest

/// The delivery runner against a real OpenSSH sshd (internal-sftp, chrooted drop box) on 127.0.0.1.
final class DeliveryOverSFTPTests: XCTestCase {
    private func settings(_ server: SSHServer, root: String = "/upload", sessions: Int = 1) -> TransportSettings {
        TransportSettings(kind: .sftp, host: server.host, port: server.port, user: server.user, privateKey: server.clientKeyPath,
                          knownHosts: server.knownHostsPath, remoteRoot: root, connectTimeoutSeconds: 5, maxSessions: sessions)
    }

    private func remoteFiles(_ server: SSHServer, under folder: String = "/upload") -> [String] {
        let root = server.localPath(folder)
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let path = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDir), !isDir.boolValue { out.append(path) }
        }
        return out.sorted()
    }

    /// sshd stopped in the middle of a large file, started again: the delivery resumes and completes,
    /// the files are byte-identical, and BatchComplete appears only at the end.
    func testStoppedServerMidFileThenResumeCompletesByteIdentical() throws {
        let server = try SSHServer()
        let fixture = try DeliveryFixture(transport: settings(server), trackBytes: 24 << 20,
                                          retry: RetryPolicy(maxAttempts: 5, initialDelaySeconds: 1, maxDelaySeconds: 1))
        let (bundle, record) = try fixture.queue()
        let transport = try SFTPTransport(settings: fixture.profile.transport)
        transport.uploadProgress = { sent in
            if sent > 4 << 20, server.isRunning { server.stop() }
        }
        let clock = LockedClock(Date(timeIntervalSince1970: 1_800_000_000))
        var summary = fixture.pass(transport: { _ in transport }, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.retrying, [record.id], "\(summary)")
        let waiting = try XCTUnwrap(fixture.store.delivery(record.id))
        XCTAssertEqual(waiting.state, .retryWait)
        XCTAssertTrue(["SFTP_CONNECTION_LOST", "SFTP_TIMEOUT", "SFTP_NOT_CONNECTED"].contains(waiting.lastErrorCode ?? ""), waiting.lastErrorCode ?? "")
        let partial = remoteFiles(server)
        XCTAssertFalse(partial.contains { $0.contains("BatchComplete") }, "\(partial)")
        XCTAssertTrue(partial.allSatisfy { $0.hasSuffix(".ddexd-part") || $0.contains("/resources/") }, "\(partial)")

        transport.uploadProgress = nil
        try server.start()
        clock.advance(by: 5)
        summary = fixture.pass(transport: { _ in transport }, now: { clock.now }).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.completed, [record.id], "\(summary)")
        XCTAssertEqual(remoteFiles(server), bundle.files.map { bundle.folderName + "/" + $0.path }.sorted())
        for file in bundle.files {
            XCTAssertEqual(try SSHTools.sha256(of: server.localPath("/upload/" + bundle.folderName + "/" + file.path)), file.sha256, file.path)
        }
    }

    /// The server's host key changed: refused before authenticating, nothing uploaded, and the DSP is blocked
    /// (a person must act) while the delivery stays queued, untouched, for when it is unblocked.
    func testChangedHostKeyBlocksTheDSPAndLeavesTheDeliveryQueued() throws {
        let server = try SSHServer()
        let fixture = try DeliveryFixture(transport: settings(server))
        let (_, record) = try fixture.queue()
        let pinned = try server.hostKeyFingerprint()
        try server.rotateHostKey()
        let summary = fixture.pass(transport: TransportFactory.make).run(profiles: [fixture.profile])
        let issue = try XCTUnwrap(summary["spotify"]?.dspError, "\(summary)")
        XCTAssertTrue(issue.blocked)
        XCTAssertEqual(issue.code, "SFTP_HOSTKEY_MISMATCH")
        XCTAssertTrue(issue.message.contains(pinned), issue.message)
        XCTAssertTrue(issue.message.contains(try server.hostKeyFingerprint()), issue.message)
        XCTAssertEqual(summary["spotify"]?.failed, [])
        let queued = try XCTUnwrap(fixture.store.delivery(record.id))
        XCTAssertEqual(queued.state, .queued)
        XCTAssertEqual(queued.attempts, 0)
        XCTAssertEqual(remoteFiles(server), [])

        // The typed error carries both fingerprints for whoever must compare them with the DSP's.
        XCTAssertThrowsError(try TransportFactory.make(fixture.profile).connect()) { error in
            let typed = error as? TransportError
            XCTAssertEqual(typed?.kind, .hostKeyMismatch)
            XCTAssertEqual(typed?.hostKey?.expected, [pinned])
            XCTAssertEqual(typed?.hostKey?.offered, try? server.hostKeyFingerprint())
            XCTAssertEqual(typed?.isRetryable, false)
            XCTAssertEqual(typed?.kind.blocksDSP, true)
        }
    }

    /// Permission denied on the remote folder: failed with the server's words, not retried.
    func testPermissionDeniedFailsWithoutRetry() throws {
        let server = try SSHServer(options: .init(user: "nobody"))
        _ = try server.makeDropBoxDirectory("readonly", writable: false)
        let fixture = try DeliveryFixture(transport: settings(server, root: "/readonly"))
        let (_, record) = try fixture.queue()
        let summary = fixture.pass(transport: TransportFactory.make).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.failed, [record.id], "\(summary)")
        let failed = try XCTUnwrap(fixture.store.delivery(record.id))
        XCTAssertEqual(failed.lastErrorCode, "SFTP_PERMISSION_DENIED")
        XCTAssertTrue(failed.lastErrorMessage?.localizedCaseInsensitiveContains("permission denied") ?? false, failed.lastErrorMessage ?? "")
        XCTAssertEqual(failed.attempts, 1)
    }

    /// Server disk full: retry-wait, and no partial file under a final name.
    func testFullDiskWaitsToRetryAndLeavesNoPartialFileUnderAFinalName() throws {
        let server = try SSHServer()
        try server.mountTinyFilesystem(at: "upload/small", bytes: 1 << 20)
        let fixture = try DeliveryFixture(transport: settings(server, root: "/upload/small"), trackBytes: 3 << 20)
        let (_, record) = try fixture.queue()
        let summary = fixture.pass(transport: TransportFactory.make).run(profiles: [fixture.profile])
        XCTAssertEqual(summary["spotify"]?.retrying, [record.id], "\(summary)")
        let waiting = try XCTUnwrap(fixture.store.delivery(record.id))
        XCTAssertEqual(waiting.state, .retryWait)
        XCTAssertEqual(waiting.lastErrorCode, "SFTP_WRITE_FAILED")
        let files = remoteFiles(server, under: "/upload/small")
        XCTAssertTrue(files.allSatisfy { ($0 as NSString).lastPathComponent.hasPrefix(".") && $0.hasSuffix(".ddexd-part") }, "\(files)")
    }

    func testSFTPTransportOperations() throws {
        let server = try SSHServer()
        let transport = try SFTPTransport(settings: settings(server))
        XCTAssertEqual(transport.displayName, "sftp://root@127.0.0.1:\(server.port)/upload")
        try transport.connect()
        XCTAssertEqual(transport.hostKey?.fingerprint, try server.hostKeyFingerprint())
        let local = try TemporaryDirectory()
        try SSHTools.writeRandomFile(at: local.path + "/a", size: 100_000)
        try transport.makeDirectories("x/y")
        try transport.upload(local.path + "/a", to: "x/y/.a.part", resumeFrom: 0)
        try transport.upload(local.path + "/a", to: "x/y/b", resumeFrom: 0)
        XCTAssertThrowsError(try transport.rename("x/y/.a.part", to: "x/y/b")) {
            XCTAssertEqual(($0 as? TransportError)?.kind, .fileExists, "\($0)")
        }
        try transport.rename("x/y/.a.part", to: "x/y/a")
        XCTAssertEqual(try transport.list("x/y").map(\.name), ["a", "b"])
        XCTAssertEqual(try transport.fileSize("x/y/a"), 100_000)
        XCTAssertNil(try transport.fileSize("x/y/c"))
        try transport.download("x/y/a", to: local.path + "/back", resumeFrom: 0)
        XCTAssertEqual(try SSHTools.sha256(of: local.path + "/back"), try SSHTools.sha256(of: local.path + "/a"))
        XCTAssertThrowsError(try transport.fileSize("../etc/passwd")) { XCTAssertEqual(($0 as? TransportError)?.code, "TRANSPORT_INVALID_PATH") }
        try server.restart()
        XCTAssertThrowsError(try transport.fileSize("x/y/a"))
        XCTAssertEqual(try transport.fileSize("x/y/a"), 100_000, "reconnects after the server came back")
        XCTAssertThrowsError(try SFTPTransport(settings: TransportSettings(kind: .sftp, host: "h", remoteRoot: ""))) {
            XCTAssertEqual(($0 as? TransportError)?.code, "TRANSPORT_SETTING_MISSING")
        }
    }

    func testLocalTransportRefusesPathsLeavingItsRoot() throws {
        let dir = try TemporaryDirectory()
        let t = LocalFolderTransport(root: dir.path)
        for bad in ["../x", "a/../../x", "a//b", "./a"] {
            XCTAssertThrowsError(try t.fileSize(bad), bad) { XCTAssertEqual(($0 as? TransportError)?.code, "TRANSPORT_INVALID_PATH") }
        }
    }
}
