import DDEXConfig
import Delivery
import Foundation
import SFTP
import TestSupport
import XCTest

final class TransportSFTPTests: XCTestCase {
    private func transport(_ server: SSHServer, root: String = "/upload") throws -> SFTPTransport {
        try SFTPTransport(settings: TransportSettings(
            kind: .sftp, host: server.host, port: server.port, user: server.user, privateKey: server.clientKeyPath,
            knownHosts: server.knownHostsPath, remoteRoot: root, connectTimeoutSeconds: 5))
    }

    func testPlaceOverSFTPAndReconnectAfterTheServerRestarts() async throws {
        let server = try SSHServer()
        let transport = try transport(server)
        XCTAssertEqual(transport.displayName, "sftp://root@127.0.0.1:\(server.port)/upload")
        try await transport.connect()
        let pinned = await transport.hostKey()
        XCTAssertEqual(pinned?.fingerprint, try server.hostKeyFingerprint())

        let local = try TemporaryDirectory(prefix: "ddexd-sftp-transport")
        let source = local.url.appendingPathComponent("a.flac").path
        try SSHTools.writeRandomFile(at: source, size: 2_500_000, seed: 5)
        try await transport.ensureDirectory("20250301120000000/5012345678900/resources")
        let placed = try await transport.place(URL(fileURLWithPath: source),
                                               at: "20250301120000000/5012345678900/resources/a.flac")
        XCTAssertFalse(placed.wasAlreadyPresent)
        XCTAssertEqual(try SSHTools.sha256(of: server.localPath("/upload/20250301120000000/5012345678900/resources/a.flac")),
                       try SSHTools.sha256(of: source))
        let names = try await transport.list("20250301120000000/5012345678900/resources").map(\.name)
        XCTAssertEqual(names, ["a.flac"])

        try server.restart()
        let lost = await assertThrows(code: "SFTP_CONNECTION_LOST") { _ = try await transport.stat("20250301120000000") }
        XCTAssertEqual(lost?.isRetryable, true)
        XCTAssertEqual(lost?.kind, .connectionLost)
        let after = try await transport.stat("20250301120000000") // reconnects
        XCTAssertEqual(after?.kind, .directory)
    }

    func testResumeAfterTheServerDiedMidPlacement() async throws {
        let server = try SSHServer()
        let transport = try transport(server)
        let local = try TemporaryDirectory(prefix: "ddexd-sftp-transport")
        let source = URL(fileURLWithPath: local.url.appendingPathComponent("video.mov").path)
        let size = 9 * 1_048_576 + 3
        try SSHTools.writeRandomFile(at: source.path, size: size, seed: 9)

        let failure = await assertThrows(code: "SFTP_CONNECTION_LOST") {
            try await transport.place(source, at: "video.mov", progress: { sent in
                if sent < UInt64(size), server.isRunning { server.stop() }
            })
        }
        XCTAssertEqual(failure?.isRetryable, true)
        try server.start()
        let placed = try await transport.place(source, at: "video.mov")
        XCTAssertGreaterThan(placed.resumedFrom, 0)
        XCTAssertLessThan(placed.resumedFrom, UInt64(size))
        XCTAssertEqual(try SSHTools.sha256(of: server.localPath("/upload/video.mov")), try SSHTools.sha256(of: source.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: server.localPath("/upload")), ["video.mov"])
    }

    func testFullDiskIsRetryableAndNothingAppearsUnderTheFinalName() async throws {
        let server = try SSHServer()
        try server.mountTinyFilesystem(at: "upload/small", bytes: 1 << 20)
        let transport = try transport(server)
        let local = try TemporaryDirectory(prefix: "ddexd-sftp-transport")
        let source = local.url.appendingPathComponent("big.wav").path
        try SSHTools.writeRandomFile(at: source, size: 3 << 20)

        let error = await assertThrows(code: "SFTP_WRITE_FAILED") {
            try await transport.place(URL(fileURLWithPath: source), at: "small/big.wav")
        }
        XCTAssertEqual(error?.kind, .writeFailed)
        XCTAssertEqual(error?.isRetryable, true)
        let final = try await transport.stat("small/big.wav")
        XCTAssertNil(final)
        let names = try await transport.list("small").map(\.name)
        XCTAssertEqual(names, [".big.wav.ddexd-part"], "only the temporary file, kept for resuming")
    }

    func testHostKeyAndPermissionFailuresAreNotRetryable() async throws {
        let server = try SSHServer(options: .init(user: "nobody"))
        try server.makeDropBoxDirectory("readonly", writable: false)
        let readOnly = try transport(server, root: "/readonly")
        let denied = await assertThrows(code: "SFTP_PERMISSION_DENIED") { try await readOnly.ensureDirectory("batch") }
        XCTAssertEqual(denied?.kind, .permissionDenied)
        XCTAssertEqual(denied?.isRetryable, false)

        try server.rotateHostKey()
        let changed = await assertThrows(code: "SFTP_HOSTKEY_MISMATCH") { try await self.transport(server).connect() }
        XCTAssertEqual(changed?.kind, .hostKey)
        XCTAssertEqual(changed?.isRetryable, false)
    }

    func testMissingSettingsAreReported() {
        XCTAssertThrowsError(try SFTPTransport(settings: TransportSettings(kind: .sftp, host: "h", remoteRoot: ""))) {
            XCTAssertEqual(($0 as? TransportError)?.code, "TRANSPORT_SETTING_MISSING")
        }
    }
}
