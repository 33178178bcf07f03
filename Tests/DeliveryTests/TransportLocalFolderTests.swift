import Delivery
import Foundation
import TestSupport
import XCTest

final class TransportLocalFolderTests: XCTestCase {
    func testFolderOperations() async throws {
        let folder = try TemporaryDirectory(prefix: "ddexd-local-transport")
        let transport = LocalFolderTransport(root: folder.url)
        try await transport.connect()
        try await transport.ensureDirectory("batch/A1/resources")
        try await transport.ensureDirectory("/batch/A1/resources/") // again, with slashes: fine
        let info = try await transport.stat("batch/A1")
        XCTAssertEqual(info?.kind, .directory)
        let missing = try await transport.stat("batch/none")
        XCTAssertNil(missing)

        let source = try folder.write("0123456789", to: "local/source.bin")
        try await transport.upload(source, to: "batch/A1/file.bin")
        let uploaded = try await transport.stat("batch/A1/file.bin")
        XCTAssertEqual(uploaded?.size, 10)
        XCTAssertEqual(uploaded?.kind, .file)
        let names = try await transport.list("batch/A1").map(\.name).sorted()
        XCTAssertEqual(names, ["file.bin", "resources"])

        // Resume: the remote holds "01234", the rest comes from the local file's offset 5.
        try Data("01234".utf8).write(to: folder.url.appendingPathComponent("batch/A1/part.bin"))
        try await transport.upload(source, to: "batch/A1/part.bin", resumeFrom: 5, progress: nil)
        XCTAssertEqual(try String(contentsOf: folder.url.appendingPathComponent("batch/A1/part.bin"), encoding: .utf8),
                       "0123456789")

        let back = folder.url.appendingPathComponent("local/back.bin")
        try await transport.download("batch/A1/file.bin", to: back)
        XCTAssertEqual(try Data(contentsOf: back), Data("0123456789".utf8))

        try await transport.rename("batch/A1/file.bin", to: "batch/A1/final.bin")
        let gone = try await transport.stat("batch/A1/file.bin")
        XCTAssertNil(gone)
        try await transport.remove("batch/A1/final.bin")
        try await transport.remove("batch/A1/part.bin")
        try await transport.removeDirectory("batch/A1/resources")
        try await transport.removeDirectory("batch/A1")
        await assertThrows(code: "LOCAL_NO_SUCH_FILE") { try await transport.remove("batch/A1/final.bin") }
    }

    func testRenameNeverOverwrites() async throws {
        let folder = try TemporaryDirectory(prefix: "ddexd-local-transport")
        let transport = LocalFolderTransport(root: folder.url)
        try folder.write("old", to: "target.xml")
        try folder.write("new", to: ".target.xml.ddexd-part")
        let error = await assertThrows(code: "LOCAL_FILE_EXISTS") {
            try await transport.rename(".target.xml.ddexd-part", to: "target.xml")
        }
        XCTAssertEqual(error?.kind, .alreadyExists)
        XCTAssertEqual(error?.isRetryable, false)
        XCTAssertEqual(try String(contentsOf: folder.url.appendingPathComponent("target.xml"), encoding: .utf8), "old")

        try await transport.ensureDirectory("a")
        try await transport.ensureDirectory("b")
        await assertThrows(code: "LOCAL_FILE_EXISTS") { try await transport.rename("a", to: "b") }
    }

    func testPathsCannotLeaveTheRoot() async throws {
        let folder = try TemporaryDirectory(prefix: "ddexd-local-transport")
        let transport = LocalFolderTransport(root: folder.url.appendingPathComponent("root"))
        for path in ["../escape", "a/../../b", "a//b", "./a", "a\u{0}b"] {
            await assertThrows(code: "TRANSPORT_INVALID_PATH") { try await transport.ensureDirectory(path) }
        }
    }

    func testPlaceUsesATemporaryNameResumesAndNeverOverwrites() async throws {
        let folder = try TemporaryDirectory(prefix: "ddexd-local-transport")
        let transport = LocalFolderTransport(root: folder.url.appendingPathComponent("dsp"))
        await assertThrows(code: "LOCAL_NO_SUCH_FILE") { try await transport.ensureDirectory("batch") }
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("dsp"), withIntermediateDirectories: true)
        try await transport.ensureDirectory("batch")
        let source = folder.url.appendingPathComponent("track.flac").path
        try SSHTools.writeRandomFile(at: source, size: 3_000_000, seed: 11)

        XCTAssertEqual(LocalFolderTransport.temporaryPath(for: "batch/track.flac"), "batch/.track.flac.ddexd-part")
        XCTAssertEqual(LocalFolderTransport.temporaryPath(for: "x.xml", token: "abcd"), ".x.xml.abcd.ddexd-part")

        // A previous attempt left the first 1,000,000 bytes under the temporary name.
        let data = try XCTUnwrap(FileManager.default.contents(atPath: source))
        try data.prefix(1_000_000).write(to: folder.url.appendingPathComponent("dsp/batch/.track.flac.ddexd-part"))
        let placed = try await transport.place(URL(fileURLWithPath: source), at: "batch/track.flac")
        XCTAssertEqual(placed, Placement(size: 3_000_000, resumedFrom: 1_000_000, wasAlreadyPresent: false))
        XCTAssertEqual(try SSHTools.sha256(of: folder.url.appendingPathComponent("dsp/batch/track.flac").path),
                       try SSHTools.sha256(of: source))
        let names = try await transport.list("batch").map(\.name)
        XCTAssertEqual(names, ["track.flac"], "no temporary file is left")

        let again = try await transport.place(URL(fileURLWithPath: source), at: "batch/track.flac")
        XCTAssertTrue(again.wasAlreadyPresent)

        let other = try folder.write("different", to: "other.flac")
        await assertThrows(code: "TRANSPORT_TARGET_EXISTS") { try await transport.place(other, at: "batch/track.flac") }

        // A temporary file longer than the local file is not resumed but replaced.
        try Data(count: 20).write(to: folder.url.appendingPathComponent("dsp/batch/.small.txt.ddexd-part"))
        let small = try await transport.place(other, at: "batch/small.txt")
        XCTAssertEqual(small.resumedFrom, 0)
        XCTAssertEqual(try String(contentsOf: folder.url.appendingPathComponent("dsp/batch/small.txt"), encoding: .utf8),
                       "different")
    }

    func testFullDiskIsRetryableAndLeavesNothingUnderTheFinalName() async throws {
        let folder = try TemporaryDirectory(prefix: "ddexd-local-transport")
        let mountPoint = folder.url.appendingPathComponent("tiny")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try SSHTools.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.path])
        defer { _ = try? SSHTools.run("/bin/umount", ["-l", mountPoint.path]) }

        let source = folder.url.appendingPathComponent("big.wav").path
        try SSHTools.writeRandomFile(at: source, size: 3 << 20)
        let transport = LocalFolderTransport(root: mountPoint)
        let error = await assertThrows(code: "LOCAL_DISK_FULL") {
            try await transport.place(URL(fileURLWithPath: source), at: "big.wav")
        }
        XCTAssertEqual(error?.isRetryable, true)
        XCTAssertEqual(error?.kind, .diskFull)
        let final = try await transport.stat("big.wav")
        XCTAssertNil(final)
    }
}

/// Runs `body`, which must throw a `TransportError` with `code`, and returns the error.
@discardableResult
func assertThrows(code: String, file: StaticString = #filePath, line: UInt = #line,
                  _ body: () async throws -> Void) async -> TransportError?
{
    do {
        try await body()
        XCTFail("expected \(code), nothing was thrown", file: file, line: line)
    } catch let error as TransportError {
        XCTAssertEqual(error.code, code, error.description, file: file, line: line)
        return error
    } catch {
        XCTFail("expected a TransportError \(code), got \(error)", file: file, line: line)
    }
    return nil
}
