import SFTP
import TestSupport
import XCTest

/// `SFTPClient.place`: many files pipelined on one session against OpenSSH.
final class SFTPPlacementTests: SFTPTestCase {
    /// Thirty files from empty to several requests long, in two folders made in one round trip: every one lands
    /// byte for byte, reported once, with no temporary file left.
    func testManyFilesOfEverySizeLandWhole() throws {
        let server = try SSHServer()
        let client = try connect(server)
        let local = try temporaryDirectory()
        var placements: [SFTPPlacement] = []
        for index in 0..<30 {
            let size = [0, 1, 32_767, 32_768, 261_120, 261_121, 700_001][index % 7] + index
            let path = local.url.appendingPathComponent("f\(index)").path
            try SSHTools.writeRandomFile(at: path, size: size, seed: UInt64(index + 1))
            let folder = index % 2 == 0 ? "/upload/batch/resources" : "/upload/batch"
            placements.append(SFTPPlacement(localPath: path, finalPath: "\(folder)/f\(index)",
                                            temporaryPath: "\(folder)/.f\(index).ddexd-part", size: UInt64(size)))
        }
        try client.makeDirectories(["/upload/batch/resources", "/upload/batch"], below: "/upload")
        var reported: [Int] = []
        try client.place(placements, placed: { index, result in
            XCTAssertEqual(result, .placed(resumedFrom: 0, restarted: false))
            reported.append(index)
            return true
        })
        XCTAssertEqual(reported.sorted(), Array(0..<30), "each file reported once")
        for placement in placements {
            XCTAssertEqual(try SSHTools.sha256(of: server.localPath(placement.finalPath)),
                           try SSHTools.sha256(of: placement.localPath), placement.finalPath)
        }
        XCTAssertEqual(try client.list("/upload/batch").filter { $0.name.hasPrefix(".") }.map(\.name), [])
        XCTAssertEqual(try client.list("/upload/batch/resources").filter { $0.name.hasPrefix(".") }.map(\.name), [])
    }

    /// A refusal in the middle of the pipeline: the files before it are placed and reported, the error names the
    /// file, and the session stays usable.
    func testARefusalStopsThePipelineAtItsFile() throws {
        let server = try SSHServer(options: .init(user: "nobody"))
        try server.makeDropBoxDirectory("upload/locked", writable: false)
        let client = try connect(server)
        let local = try temporaryDirectory()
        var placements: [SFTPPlacement] = []
        for index in 0..<5 {
            let path = local.url.appendingPathComponent("f\(index)").path
            try SSHTools.writeRandomFile(at: path, size: 300_000, seed: UInt64(index + 1))
            let folder = index == 2 ? "/upload/locked" : "/upload"
            placements.append(SFTPPlacement(localPath: path, finalPath: "\(folder)/f\(index)",
                                            temporaryPath: "\(folder)/.f\(index).ddexd-part", size: 300_000))
        }
        var reported: [Int] = []
        let error = try XCTUnwrap(expectSFTPError {
            try client.place(placements, placed: { index, _ in reported.append(index); return true })
        })
        XCTAssertEqual(error.code, "SFTP_PERMISSION_DENIED", error.description)
        XCTAssertEqual(error.path, "/upload/locked/.f2.ddexd-part")
        XCTAssertEqual(reported, [0, 1])
        XCTAssertTrue(client.isConnected)
        XCTAssertEqual(try client.stat("/upload/f0").size, 300_000)
    }
}
