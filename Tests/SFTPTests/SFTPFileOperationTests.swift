import SFTP
import TestSupport
import XCTest

final class SFTPFileOperationTests: SFTPTestCase {
    func testMakeDirectoriesStatListRenameRemove() throws {
        let server = try SSHServer()
        let client = try connect(server)

        try client.makeDirectories("/upload/batch/A1/resources")
        try client.makeDirectories("/upload/batch/A1/resources") // existing: fine
        try client.makeDirectories("upload/batch/B2") // relative to the login folder (the chroot root)
        let folder = try client.stat("/upload/batch/A1")
        XCTAssertEqual(folder.type, .directory)

        let local = try temporaryDirectory()
        let file = try local.write("hello drop box\n", to: "note.txt")
        let before = Date().addingTimeInterval(-5)
        XCTAssertEqual(try client.upload(file.path, to: "/upload/batch/A1/note.txt"), 15)
        let info = try client.stat("/upload/batch/A1/note.txt")
        XCTAssertEqual(info.type, .regular)
        XCTAssertEqual(info.size, 15)
        XCTAssertGreaterThan(try XCTUnwrap(info.modificationTime), before)
        XCTAssertNil(try client.statIfExists("/upload/batch/A1/missing.txt"))
        XCTAssertEqual(expectSFTPError { _ = try client.stat("/upload/missing") }?.code, "SFTP_NO_SUCH_FILE")

        let names = try client.list("/upload/batch/A1").map(\.name).sorted()
        XCTAssertEqual(names, ["note.txt", "resources"])
        let entry = try XCTUnwrap(try client.list("/upload/batch/A1").first { $0.name == "note.txt" })
        XCTAssertEqual(entry.info.size, 15)
        XCTAssertEqual(entry.info.type, .regular)

        try client.rename("/upload/batch/A1/note.txt", to: "/upload/batch/A1/renamed.txt")
        XCTAssertNil(try client.statIfExists("/upload/batch/A1/note.txt"))
        XCTAssertEqual(try client.stat("/upload/batch/A1/renamed.txt").size, 15)

        try client.remove("/upload/batch/A1/renamed.txt")
        try client.removeDirectory("/upload/batch/A1/resources")
        try client.removeDirectory("/upload/batch/A1")
        XCTAssertNil(try client.statIfExists("/upload/batch/A1"))
        XCTAssertEqual(expectSFTPError { try client.remove("/upload/gone.txt") }?.code, "SFTP_NO_SUCH_FILE")

        // mkdir -p through a file is refused with a clear code.
        _ = try client.upload(file.path, to: "/upload/plain")
        XCTAssertEqual(expectSFTPError { try client.makeDirectories("/upload/plain/sub") }?.code, "SFTP_NOT_A_DIRECTORY")
    }

    func testRenameNeverOverwrites() throws {
        let server = try SSHServer()
        let client = try connect(server)
        let local = try temporaryDirectory()
        try client.upload(local.write("first", to: "a").path, to: "/upload/target.xml")
        try client.upload(local.write("second!", to: "b").path, to: "/upload/.target.xml.part")

        let error = try XCTUnwrap(expectSFTPError { try client.rename("/upload/.target.xml.part", to: "/upload/target.xml") })
        XCTAssertEqual(error.code, "SFTP_FILE_EXISTS")
        XCTAssertFalse(error.isRetryable)
        XCTAssertEqual(try String(contentsOfFile: server.localPath("/upload/target.xml"), encoding: .utf8), "first")
        XCTAssertEqual(try client.stat("/upload/.target.xml.part").size, 7, "the source stays")
        XCTAssertTrue(client.isConnected, "a refused rename does not break the session")
    }

    func testPermissionDeniedIsNotRetryableAndQuotesTheServer() throws {
        let server = try SSHServer(options: .init(user: "nobody"))
        try server.makeDropBoxDirectory("readonly", writable: false)
        let client = try connect(server)
        let local = try temporaryDirectory()
        let file = try local.write("x", to: "x.txt")

        let error = try XCTUnwrap(expectSFTPError { try client.upload(file.path, to: "/readonly/x.txt") })
        XCTAssertEqual(error.code, "SFTP_PERMISSION_DENIED")
        XCTAssertFalse(error.isRetryable)
        XCTAssertEqual(error.serverStatus, 3)
        XCTAssertTrue(error.message.contains("Permission denied"), error.message)
        XCTAssertEqual(error.path, "/readonly/x.txt")
        XCTAssertEqual(expectSFTPError { try client.makeDirectories("/readonly/sub") }?.code, "SFTP_PERMISSION_DENIED")

        // The writable folder still works for this user.
        XCTAssertEqual(try client.upload(file.path, to: "/upload/x.txt"), 1)
    }

    func testKnownHostsParsing() throws {
        let server = try SSHServer()
        let key = try String(contentsOfFile: server.hostKeyPath + ".pub", encoding: .utf8).split(separator: " ")
        let revokedPath = try server.makeClientKey(type: "ed25519", name: "revoked")
        let revoked = try String(contentsOfFile: revokedPath + ".pub", encoding: .utf8).split(separator: " ")
        let text = """
            # comment
            dsp.example.com,[dsp.example.com]:2222 \(key[0]) \(key[1]) comment here
            *.wild.example,!bad.wild.example \(key[0]) \(key[1])
            broken line
            @cert-authority *.example \(key[0]) \(key[1])
            other.example ssh-ed25519 not-base64!
            @revoked * \(revoked[0]) \(revoked[1])
            """
        let knownHosts = KnownHosts(path: "test", contents: text)
        XCTAssertEqual(knownHosts.entries.count, 3)
        XCTAssertEqual(knownHosts.skippedLines.map(\.line), [4, 6])
        let hostKey = try XCTUnwrap(knownHosts.entries.first?.key)
        XCTAssertEqual(hostKey.fingerprint, try server.hostKeyFingerprint())

        XCTAssertEqual(knownHosts.verify(hostKey, host: "dsp.example.com", port: 22), .trusted(knownHosts.entries[0]))
        XCTAssertEqual(knownHosts.verify(hostKey, host: "DSP.example.com", port: 2222), .trusted(knownHosts.entries[0]))
        XCTAssertEqual(knownHosts.verify(hostKey, host: "dsp.example.com", port: 2200), .unknown)
        XCTAssertEqual(knownHosts.verify(hostKey, host: "a.wild.example", port: 22), .trusted(knownHosts.entries[1]))
        XCTAssertEqual(knownHosts.verify(hostKey, host: "bad.wild.example", port: 22), .unknown, "negated pattern")
        let revokedKey = knownHosts.entries[2].key
        XCTAssertEqual(revokedKey.fingerprint, try SSHTools.fingerprint(ofPublicKey: revokedPath + ".pub"))
        XCTAssertEqual(knownHosts.verify(revokedKey, host: "dsp.example.com", port: 22), .revoked(knownHosts.entries[2]))
        let other = HostKey(type: "ssh-ed25519", blob: Array(hostKey.blob.dropLast()) + [0])
        XCTAssertEqual(knownHosts.verify(other, host: "dsp.example.com", port: 22),
                       .mismatch(expected: [knownHosts.entries[0]]))
    }

    func testKeyKindDetection() throws {
        let local = try temporaryDirectory()
        for (type, kind) in [("ed25519", SSHKeyKind.ed25519), ("ecdsa", .ecdsa), ("rsa", .rsa)] {
            let path = local.url.appendingPathComponent(type).path
            try SSHTools.generateKey(type: type, at: path)
            try FileManager.default.removeItem(atPath: path + ".pub") // from the private key alone
            XCTAssertEqual(try SSHKeyFile.inspect(privateKeyPath: path), SSHKeyFile(kind: kind, isEncrypted: false))
        }
        let encrypted = local.url.appendingPathComponent("encrypted").path
        try SSHTools.generateKey(type: "ed25519", at: encrypted, passphrase: "secret words")
        XCTAssertEqual(try SSHKeyFile.inspect(privateKeyPath: encrypted), SSHKeyFile(kind: .ed25519, isEncrypted: true))
        let pem = local.url.appendingPathComponent("pem").path
        try SSHTools.run("/usr/bin/ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", pem])
        XCTAssertEqual(try SSHKeyKind.detect(privateKeyPath: pem), .rsa)
        XCTAssertEqual(expectSFTPError { _ = try SSHKeyKind.detect(privateKeyPath: "/nonexistent") }?.code,
                       "SFTP_KEY_UNREADABLE")
    }
}
