import Foundation
import TestSupport
import XCTest

/// `ddexd check-config --probe DSP` against real servers: it connects, logs in, lists the drop box and reports the
/// server, and writes nothing.
final class ProbeCLITests: XCTestCase {
    private func probe(_ server: any DropBoxServer, format: String = "text") throws -> CommandResult {
        let harness = try DaemonHarness(dsps: [
            "spotify": DaemonHarness.sftpProfile(name: "spotify", dpid: "PADPIDA2011072101T", host: server.host,
                                                 port: server.port, user: server.user, key: server.clientKeyPath,
                                                 knownHosts: server.knownHostsPath, root: server.uploadPath),
        ])
        return try CommandRunner.run(CommandRunner.ddexd, ["check-config", "--config", harness.configPath,
                                                           "--probe", "spotify", "--format", format])
    }

    func testProbeReportsOpenSSHAndWritesNothing() throws {
        let server = try SSHServer()
        try server.place(Data("x".utf8), at: "/upload/existing.xml")
        let before = try FileManager.default.contentsOfDirectory(atPath: server.localPath("/upload"))
        let result = try probe(server)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        for expected in ["SSH-2.0-OpenSSH", "key exchange curve25519-sha256", "cipher aes128-ctr", "MAC hmac-sha2-256",
                         "version 3", "hardlink@openssh.com", "limits@openssh.com", "write 261120",
                         "never replaced", "drop box     /upload: 1 entry (existing.xml)", "free space",
                         try server.hostKeyFingerprint(), "Nothing was written"] {
            XCTAssertTrue(result.stdout.contains(expected), "\(expected) in:\n\(result.stdout)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: server.localPath("/upload")), before)
    }

    func testProbeSaysWhereTheNeverOverwriteGuaranteeIsWeaker() throws {
        let server = try AsyncSSHServer(renameReplaces: true, offersHardlink: false)
        let result = try probe(server, format: "json")
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let found = try XCTUnwrap(json["probe"] as? [String: Any], result.stdout)
        let profile = try XCTUnwrap(found["server"] as? [String: Any])
        XCTAssertEqual(profile["placement"] as? String, "checked-rename")
        XCTAssertEqual(profile["sftpVersion"] as? Int, 3)
        let text = try probe(server).stdout
        XCTAssertTrue(text.contains("WEAKER"), text)
    }

    func testProbeOfProFTPDAndOfAnUnreachableServer() throws {
        let server = try ProFTPDServer()
        let result = try probe(server)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("SSH-2.0-mod_sftp"), result.stdout)
        server.stop()
        let down = try probe(server)
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.stdout.contains("SFTP_CONNECT_FAILED"), down.stdout)
    }
}
