import SFTP
import TestSupport
import XCTest

/// The client against SFTP servers that are not OpenSSH, started on loopback: ProFTPD mod_sftp with its default
/// `AllowOverwrite off`, and asyncssh (which refuses any request before authentication is complete).
final class OtherServerTests: SFTPTestCase {
    private func servers() throws -> [any DropBoxServer] {
        [try ProFTPDServer(), try AsyncSSHServer()]
    }

    /// Keepalives are on (30 s), as in production: every login succeeds, the server is learnt, the drop box listed.
    func testLoginLearnsTheServerAndListsTheDropBox() throws {
        for server in try servers() {
            for _ in 0..<5 {
                let client = try connect(server)
                XCTAssertEqual(client.configuration.keepaliveIntervalSeconds, 30)
                XCTAssertEqual(try client.list("/").map(\.name), ["upload"], server.software)
                XCTAssertEqual(client.server.sftpVersion, 3, server.software)
                XCTAssertEqual(client.server.algorithms.cipherClientToServer, "aes128-ctr", server.software)
                client.close()
            }
            XCTAssertFalse(server.log.contains("before authentication"), server.log)
        }
    }

    func testUploadDownloadAndPlacementAreByteIdentical() throws {
        let local = try temporaryDirectory()
        let source = local.url.appendingPathComponent("audio.flac").path
        try SSHTools.writeRandomFile(at: source, size: 3 * 1_048_576 + 4321, seed: 5)
        for server in try servers() {
            let client = try connect(server)
            try client.upload(source, to: "/upload/plain.flac")
            XCTAssertEqual(try SSHTools.sha256(of: server.localPath("/upload/plain.flac")), try SSHTools.sha256(of: source))
            let back = local.url.appendingPathComponent("back-\(server.software.prefix(3)).flac").path
            XCTAssertEqual(try client.download("/upload/plain.flac", to: back), 3 * 1_048_576 + 4321)
            XCTAssertEqual(try SSHTools.sha256(of: back), try SSHTools.sha256(of: source))

            try client.makeDirectories(["/upload/b/resources", "/upload/b"], below: "/upload")
            let placement = SFTPPlacement(localPath: source, finalPath: "/upload/b/resources/01.flac",
                                          temporaryPath: "/upload/b/resources/.01.flac.ddexd-part", size: 3 * 1_048_576 + 4321)
            var results: [SFTPPlacement.Result] = []
            try client.place([placement], placed: { results.append($1); return true })
            XCTAssertEqual(results, [.placed(resumedFrom: 0, restarted: false)], server.software)
            XCTAssertEqual(try SSHTools.sha256(of: server.localPath(placement.finalPath)), try SSHTools.sha256(of: source))
            XCTAssertNil(try client.statIfExists(placement.temporaryPath), "no temporary file left")
            // Placed again: the same bytes are already there, compared, nothing rewritten.
            results = []
            try client.place([placement], placed: { results.append($1); return true })
            XCTAssertEqual(results, [.alreadyInPlace(compared: true)], server.software)
        }
    }

    /// A partial temporary file is resumed however the server allows: reopened at its size (`AllowOverwrite on`),
    /// appended to where reopening is refused (an asyncssh server that only appends), and where both are refused, as
    /// ProFTPD's default `AllowOverwrite off` does, removed and sent again. No partial file is left either way.
    func testResumeWhereTheServerRefusesToReopenThePartialFile() throws {
        let local = try temporaryDirectory()
        let source = local.url.appendingPathComponent("video.mov").path
        let size = 2_500_000
        try SSHTools.writeRandomFile(at: source, size: size, seed: 9)
        let data = try XCTUnwrap(FileManager.default.contents(atPath: source))
        let cases: [(server: any DropBoxServer, expected: SFTPPlacement.Result)] = [
            (try ProFTPDServer(extraConfiguration: ["AllowOverwrite on"]), .placed(resumedFrom: 1_000_000, restarted: false)),
            (try AsyncSSHServer(refusesReopening: true), .placed(resumedFrom: 1_000_000, restarted: false)),
            (try ProFTPDServer(), .placed(resumedFrom: 0, restarted: true)),
        ]
        for (server, expected) in cases {
            let configuration = server.software
            try server.place(data.prefix(1_000_000), at: "/upload/.video.mov.ddexd-part")
            chown(server.localPath("/upload/.video.mov.ddexd-part"), 65534, 65534)
            let client = try connect(server)
            var results: [SFTPPlacement.Result] = []
            do {
                try client.place([SFTPPlacement(localPath: source, finalPath: "/upload/video.mov",
                                                temporaryPath: "/upload/.video.mov.ddexd-part", size: UInt64(size))],
                                 placed: { results.append($1); return true })
            } catch {
                XCTFail("\(configuration): \(error)\n\(server.log.split(separator: "\n").suffix(8).joined(separator: "\n"))")
                continue
            }
            XCTAssertEqual(results, [expected], "\(configuration)")
            XCTAssertEqual(try SSHTools.sha256(of: server.localPath("/upload/video.mov")), try SSHTools.sha256(of: source))
            XCTAssertFalse(FileManager.default.fileExists(atPath: server.localPath("/upload/.video.mov.ddexd-part")))
        }
    }

    /// Whatever the server's rename does, a file already in place is never replaced: where hardlink is offered it
    /// is used; where the rename replaces and there is no hardlink, the target is checked first, and --probe says
    /// the guarantee is weaker.
    func testAFileInPlaceIsNeverReplaced() throws {
        let local = try temporaryDirectory()
        let source = try local.write("the new release", to: "new.xml").path
        let servers: [any DropBoxServer] = [try ProFTPDServer(), try AsyncSSHServer(),
                                            try AsyncSSHServer(renameReplaces: true, offersHardlink: false)]
        for server in servers {
            try server.place(Data("already delivered".utf8), at: "/upload/release.xml")
            let client = try connect(server)
            let expected: SFTPServerProfile.Placement = client.server.offers("hardlink@openssh.com") ? .hardlink : .checkedRename
            XCTAssertEqual(client.server.placement, expected, server.software)
            if server === servers[2] { XCTAssertEqual(client.server.placement, .checkedRename) }
            let error = try XCTUnwrap(expectSFTPError {
                try client.place([SFTPPlacement(localPath: source, finalPath: "/upload/release.xml",
                                                temporaryPath: "/upload/.release.xml.ddexd-part", size: 15)])
            })
            XCTAssertEqual(error.code, "SFTP_TARGET_CONFLICT", error.description)
            XCTAssertFalse(error.isRetryable)
            XCTAssertEqual(try String(contentsOfFile: server.localPath("/upload/release.xml"), encoding: .utf8),
                           "already delivered", server.software)
            XCTAssertEqual(try client.list("/upload").map(\.name).filter { $0.hasSuffix(".ddexd-part") }, [],
                           "the temporary file is cleaned up after a conflict")
        }
        XCTAssertTrue(SFTPServerProfile.Placement.checkedRename.guarantee.contains("WEAKER"))
    }
}
