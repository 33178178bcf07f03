import SFTP
import TestSupport
import XCTest

final class SFTPClientTests: SFTPTestCase {
    func testConnectsWhenTheHostKeyIsPinned() throws {
        let server = try SSHServer()
        let client = try connect(server)
        XCTAssertTrue(client.isConnected)
        XCTAssertEqual(client.hostKey.type, "ssh-ed25519")
        XCTAssertEqual(client.hostKey.fingerprint, try server.hostKeyFingerprint(), "same value as ssh-keygen -lf")
        XCTAssertEqual(client.knownHostsLine, 1)
        XCTAssertEqual(try client.list("/").map(\.name), ["upload"])
        client.close()
        XCTAssertFalse(client.isConnected)
        XCTAssertEqual(expectSFTPError { _ = try client.stat("/upload") }?.kind, .notConnected)
    }

    /// At connect the client learns the server: OpenSSH's internal-sftp speaks version 3, announces its extensions
    /// and answers limits@openssh.com; the negotiated algorithms are OpenSSH-default strength, fastest first.
    func testLearnsTheServerAtConnect() throws {
        let server = try SSHServer()
        let profile = try connect(server).server
        XCTAssertEqual(profile.sftpVersion, 3)
        for name in ["posix-rename@openssh.com", "statvfs@openssh.com", "hardlink@openssh.com", "fsync@openssh.com",
                     "limits@openssh.com"] {
            XCTAssertTrue(profile.offers(name), "\(name) in \(profile.extensions)")
        }
        let limits = try XCTUnwrap(profile.limits)
        XCTAssertGreaterThan(limits.maximumWrite, 32768)
        XCTAssertEqual(profile.writeRequestSize, Int(min(limits.maximumWrite, 255 * 1024)))
        XCTAssertEqual(profile.placement, .hardlink)
        XCTAssertTrue(profile.banner.hasPrefix("SSH-2.0-OpenSSH"), profile.banner)
        XCTAssertEqual(profile.algorithms.cipherClientToServer, "aes128-ctr")
        XCTAssertEqual(profile.algorithms.macClientToServer, "hmac-sha2-256")
        XCTAssertEqual(profile.algorithms.keyExchange, "curve25519-sha256")
        XCTAssertGreaterThanOrEqual(profile.window, 64 * 1024)
        XCTAssertEqual(profile.hostKey, "ssh-ed25519 \(try server.hostKeyFingerprint())")
    }

    func testHashedKnownHostsEntryIsAccepted() throws {
        let server = try SSHServer()
        let hashed = server.root.appendingPathComponent("known_hosts_hashed").path
        try server.writeKnownHosts(to: hashed, hashed: true)
        XCTAssertTrue(try String(contentsOfFile: hashed, encoding: .utf8).hasPrefix("|1|"))
        let client = try SFTPClient(configuration: configuration(server, knownHostsPath: hashed))
        XCTAssertEqual(client.hostKey.fingerprint, try server.hostKeyFingerprint())
    }

    func testUnknownHostIsRefusedBeforeAuthenticating() throws {
        let server = try SSHServer()
        let other = server.root.appendingPathComponent("known_hosts_other").path
        // The right key, but for another port: the host as ddexd reaches it is not known.
        let line = try String(contentsOfFile: server.knownHostsPath, encoding: .utf8)
            .replacingOccurrences(of: "]:\(server.port) ", with: "]:1 ")
        try line.write(toFile: other, atomically: true, encoding: .utf8)

        let error = try XCTUnwrap(expectSFTPError { _ = try SFTPClient(configuration: self.configuration(server, knownHostsPath: other)) })
        XCTAssertEqual(error.code, "SFTP_HOSTKEY_UNKNOWN")
        XCTAssertFalse(error.isRetryable)
        XCTAssertTrue(error.message.contains(try server.hostKeyFingerprint()), error.message)
        XCTAssertTrue(error.message.contains("[127.0.0.1]:\(server.port)"), error.message)
        XCTAssertFalse(server.log.contains("Accepted publickey"), "ddexd must not authenticate to an unknown host")
    }

    func testChangedHostKeyIsRefusedNamingBothFingerprints() throws {
        let server = try SSHServer()
        let pinned = try server.hostKeyFingerprint()
        try server.rotateHostKey()
        let offered = try server.hostKeyFingerprint()
        XCTAssertNotEqual(pinned, offered)

        let error = try XCTUnwrap(expectSFTPError { _ = try self.connect(server) })
        XCTAssertEqual(error.code, "SFTP_HOSTKEY_MISMATCH")
        XCTAssertFalse(error.isRetryable)
        XCTAssertTrue(error.message.contains(pinned), "expected fingerprint named: \(error.message)")
        XCTAssertTrue(error.message.contains(offered), "offered fingerprint named: \(error.message)")
        XCTAssertFalse(server.log.contains("Accepted publickey"), "no authentication after a key change")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: server.localPath("/upload")), [])
    }

    func testMissingKnownHostsFileIsAConfigurationError() throws {
        let server = try SSHServer()
        let error = try XCTUnwrap(expectSFTPError {
            _ = try SFTPClient(configuration: self.configuration(server, knownHostsPath: "/nonexistent/known_hosts"))
        })
        XCTAssertEqual(error.code, "SFTP_KNOWN_HOSTS_UNREADABLE")
        XCTAssertFalse(error.isRetryable)
    }

    func testRSAClientKeyFailsWithAnExplanation() throws {
        let server = try SSHServer()
        let rsa = try server.makeClientKey(type: "rsa")
        XCTAssertEqual(try SSHKeyKind.detect(privateKeyPath: rsa), .rsa)
        let error = try XCTUnwrap(expectSFTPError { _ = try SFTPClient(configuration: self.configuration(server, privateKeyPath: rsa)) })
        XCTAssertEqual(error.code, "SFTP_AUTH_FAILED")
        XCTAssertFalse(error.isRetryable)
        XCTAssertTrue(error.message.contains(
            "RSA keys do not work with libssh2 1.10 against OpenSSH ≥ 8.8; use ed25519 or ECDSA"), error.message)
        XCTAssertTrue(error.message.contains("the server refused the key \(rsa) (\(try SSHTools.fingerprint(ofPublicKey: rsa + ".pub")))"),
                      "the refused key is named with its fingerprint: \(error.message)")
    }

    func testECDSAKeyAndEncryptedKeyWork() throws {
        let server = try SSHServer()
        let ecdsa = try server.makeClientKey(type: "ecdsa")
        XCTAssertEqual(try SSHKeyKind.detect(privateKeyPath: ecdsa), .ecdsa)
        XCTAssertTrue(try SFTPClient(configuration: configuration(server, privateKeyPath: ecdsa)).isConnected)

        let encrypted = server.root.appendingPathComponent("client_encrypted").path
        try SSHTools.generateKey(type: "ed25519", at: encrypted, passphrase: "correct horse")
        try server.authorize(publicKeyPath: encrypted + ".pub")
        let good = configuration(server, privateKeyPath: encrypted, passphrase: Secret("correct horse"))
        XCTAssertTrue(try SFTPClient(configuration: good).isConnected)
        XCTAssertFalse("\(good)".contains("correct horse"))

        let wrong = configuration(server, privateKeyPath: encrypted, passphrase: Secret("wrong battery"))
        let error = try XCTUnwrap(expectSFTPError { _ = try SFTPClient(configuration: wrong) })
        XCTAssertEqual(error.code, "SFTP_KEY_UNREADABLE")
        XCTAssertFalse(error.description.contains("wrong battery"), "secrets never appear in errors")
        XCTAssertFalse(error.isRetryable)
    }

    func testConnectionRefusedAndHandshakeTimeoutAreRetryable() throws {
        let server = try SSHServer()
        let port = server.port
        server.stop()
        let refused = try XCTUnwrap(expectSFTPError { _ = try self.connect(server) })
        XCTAssertEqual(refused.code, "SFTP_CONNECT_FAILED")
        XCTAssertTrue(refused.isRetryable)

        // A socket that listens but never speaks: the kernel completes the TCP handshake, the SSH banner never comes.
        let silent = try SilentListener(port: port)
        defer { silent.close() }
        var settings = configuration(server)
        settings.connectTimeoutSeconds = 0.5
        let started = Date()
        let timeout = try XCTUnwrap(expectSFTPError { _ = try SFTPClient(configuration: settings) })
        XCTAssertEqual(timeout.code, "SFTP_TIMEOUT", timeout.description)
        XCTAssertTrue(timeout.isRetryable)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testAHangingServerTimesOutAndTheClientIsBroken() throws {
        let server = try SSHServer()
        var settings = configuration(server)
        settings.ioTimeoutSeconds = 1
        let client = try SFTPClient(configuration: settings)
        server.pauseSessions()
        defer { server.resumeSessions() }
        let started = Date()
        let error = try XCTUnwrap(expectSFTPError { _ = try client.stat("/upload") })
        XCTAssertEqual(error.code, "SFTP_TIMEOUT", error.description)
        XCTAssertTrue(error.isRetryable)
        XCTAssertLessThan(Date().timeIntervalSince(started), 4)
        XCTAssertFalse(client.isConnected, "after a timeout the session cannot be trusted")
    }
}
