import SFTP
import TestSupport
import XCTest

final class SFTPTransferTests: SFTPTestCase {
    func testMultiMebibyteUploadAndDownloadAreByteIdentical() throws {
        let server = try SSHServer()
        let client = try connect(server)
        let local = try temporaryDirectory()
        let source = local.url.appendingPathComponent("audio.flac").path
        let size = 5 * 1_048_576 + 12_345 // not a multiple of the 1.92 MB write chunk or of 30,000
        try SSHTools.writeRandomFile(at: source, size: size)

        var reported: [UInt64] = []
        XCTAssertEqual(try client.upload(source, to: "/upload/audio.flac", progress: { reported.append($0) }), UInt64(size))
        XCTAssertEqual(reported.last, UInt64(size))
        XCTAssertTrue((1...4).contains(reported.count), "at most one report per 1.92 MB acknowledged: \(reported)")
        XCTAssertEqual(reported, reported.sorted())
        XCTAssertEqual(try SSHTools.sha256(of: server.localPath("/upload/audio.flac")), try SSHTools.sha256(of: source))

        // Uploading a shorter file over it truncates (no stale trailing bytes).
        let short = try local.write("short", to: "short.bin")
        try client.upload(short.path, to: "/upload/audio.flac")
        XCTAssertEqual(try client.stat("/upload/audio.flac").size, 5)
        try client.upload(source, to: "/upload/audio.flac")

        let back = local.url.appendingPathComponent("back.flac").path
        XCTAssertEqual(try client.download("/upload/audio.flac", to: back), UInt64(size))
        XCTAssertEqual(try SSHTools.sha256(of: back), try SSHTools.sha256(of: source))

        // Download resume: keep the first 1,000,000 bytes, fetch the rest.
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: back))
        try handle.truncate(atOffset: 1_000_000)
        try handle.close()
        XCTAssertEqual(try client.download("/upload/audio.flac", to: back, resumeFrom: 1_000_000), UInt64(size))
        XCTAssertEqual(try SSHTools.sha256(of: back), try SSHTools.sha256(of: source))
    }

    func testResumeAfterTheServerDiedMidTransfer() throws {
        let server = try SSHServer()
        let local = try temporaryDirectory()
        let source = local.url.appendingPathComponent("video.mov").path
        let size = 12 * 1_048_576 + 7
        try SSHTools.writeRandomFile(at: source, size: size, seed: 7)

        // Kill sshd and its sessions after the first chunk has been acknowledged.
        let first = try connect(server)
        let error = try XCTUnwrap(expectSFTPError {
            try first.upload(source, to: "/upload/.video.mov.part", progress: { sent in
                if sent < UInt64(size), server.isRunning { server.stop() }
            })
        })
        XCTAssertTrue([SFTPError.Kind.connectionLost, .timeout].contains(error.kind), error.description)
        XCTAssertTrue(error.isRetryable)
        XCTAssertFalse(first.isConnected)
        XCTAssertEqual(expectSFTPError { _ = try first.stat("/upload") }?.code, "SFTP_NOT_CONNECTED")

        try server.restart()
        let second = try connect(server)
        let partial = try XCTUnwrap(try second.stat("/upload/.video.mov.part").size)
        XCTAssertGreaterThan(partial, 0)
        XCTAssertLessThan(partial, UInt64(size))
        try second.upload(source, to: "/upload/.video.mov.part", resumeFrom: partial)
        try second.rename("/upload/.video.mov.part", to: "/upload/video.mov")
        XCTAssertEqual(try SSHTools.sha256(of: server.localPath("/upload/video.mov")), try SSHTools.sha256(of: source))
    }

    func testResumeFromAnUploadedPrefix() throws {
        let server = try SSHServer()
        let client = try connect(server)
        let local = try temporaryDirectory()
        let source = local.url.appendingPathComponent("art.jpg").path
        try SSHTools.writeRandomFile(at: source, size: 3_000_001, seed: 3)
        let prefix = local.url.appendingPathComponent("prefix").path
        let data = try XCTUnwrap(FileManager.default.contents(atPath: source))
        try data.prefix(1_234_567).write(to: URL(fileURLWithPath: prefix))
        try client.upload(prefix, to: "/upload/art.jpg")

        XCTAssertEqual(try client.stat("/upload/art.jpg").size, 1_234_567)
        XCTAssertEqual(try client.upload(source, to: "/upload/art.jpg", resumeFrom: 1_234_567), 3_000_001)
        XCTAssertEqual(try SSHTools.sha256(of: server.localPath("/upload/art.jpg")), try SSHTools.sha256(of: source))
        XCTAssertEqual(expectSFTPError { try client.upload(prefix, to: "/upload/art.jpg", resumeFrom: 2_000_000) }?.code,
                       "SFTP_INVALID_ARGUMENT")
    }

    func testFullDiskIsARetryableWriteFailure() throws {
        let server = try SSHServer()
        try server.mountTinyFilesystem(at: "small", bytes: 1 << 20)
        let client = try connect(server)
        let local = try temporaryDirectory()
        let source = local.url.appendingPathComponent("big.wav").path
        try SSHTools.writeRandomFile(at: source, size: 3 << 20)

        let error = try XCTUnwrap(expectSFTPError { try client.upload(source, to: "/small/big.wav") })
        XCTAssertEqual(error.code, "SFTP_WRITE_FAILED", error.description)
        XCTAssertTrue(error.isRetryable)
        XCTAssertEqual(error.serverStatus, 4)
        XCTAssertTrue(error.message.contains("disk is full"), error.message)
        XCTAssertTrue(client.isConnected, "a full disk does not break the session")
        try client.remove("/small/big.wav")
    }
}
