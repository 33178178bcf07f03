import DDEXModel
import Foundation
@testable import Media
import TestSupport
import XCTest

final class InspectorTests: InspectorTestCase {
    func testExtensionMustAgreeWithTheBytes() throws {
        assertProblem(MediaSamples.wav(), as: "01.flac", .mediaFormatMismatch)
        assertProblem(MediaSamples.png(), as: "cover.jpg", .mediaFormatMismatch)
        assertProblem(MediaSamples.png(), as: "cover", .mediaFormatMismatch)
        XCTAssertNotNil(try inspect(MediaSamples.png(), as: "COVER.PNG").image)
    }

    func testEmptyAndUnknownFiles() {
        assertProblem([], as: "a.flac", .mediaEmpty)
        assertProblem(Array("ID3\u{4}\0\0\0\0\0\0 rest of an mp3".utf8), as: "a.mp3", .mediaUnsupportedFormat)
        assertProblem(Array("OggS\0\u{2}\0\0\0\0\0\0\0\0".utf8), as: "a.flac", .mediaUnsupportedFormat)
        assertProblem(Array("hello world, not audio".utf8), as: "a.flac", .mediaUnsupportedFormat)
        assertProblem([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], as: "a.tif", .mediaUnsupportedFormat)
    }

    func testMissingFileAndDirectoryAreUnreadable() throws {
        XCTAssertThrowsError(try MediaInspector.inspect(fileAt: dir.url.appendingPathComponent("nope.flac"), file: ResourceFile(path: "nope.flac"))) {
            XCTAssertEqual(($0 as? MediaError)?.problemCode, .mediaUnreadable)
        }
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("d.flac"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try MediaInspector.inspect(fileAt: dir.url.appendingPathComponent("d.flac"), file: ResourceFile(path: "d.flac"))) {
            XCTAssertEqual(($0 as? MediaError)?.problemCode, .mediaUnreadable)
        }
    }

    func testFIFODoesNotBlock() throws {
        let path = dir.url.appendingPathComponent("fifo.flac").path
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        XCTAssertThrowsError(try MediaInspector.inspect(fileAt: URL(fileURLWithPath: path), file: ResourceFile(path: "fifo.flac"))) {
            XCTAssertEqual(($0 as? MediaError)?.problemCode, .mediaUnreadable)
        }
    }

    func testDigestMatchesMd5sumAndSha256sum() throws {
        // Several chunks and a ragged end, read with a small chunk size.
        let bytes = MediaSamples.png(width: 300, height: 300) + MediaSamples.noise(10_007)
        let url = try dir.write(Data(bytes), to: "x.bin")
        let md5 = String(try MediaSamples.run("md5sum", [url.path]).prefix(32))
        let sha = String(try MediaSamples.run("sha256sum", [url.path]).prefix(64))
        for chunk in [4096, 65536, MediaInspector.defaultChunkSize] {
            let d = try MediaInspector.digest(fileAt: url, chunkSize: chunk)
            XCTAssertEqual(d, FileDigest(size: UInt64(bytes.count), md5: md5, sha256: sha))
        }
        // inspect() gives the same digest as digest() while probing.
        let pngURL = try dir.write(Data(MediaSamples.png(width: 300, height: 300)), to: "y.png")
        let measured = try MediaInspector.inspect(fileAt: pngURL, file: ResourceFile(path: "y.png"), chunkSize: 4096)
        XCTAssertEqual(measured.digest.md5, String(try MediaSamples.run("md5sum", [pngURL.path]).prefix(32)))
        XCTAssertEqual(measured.digest.sha256, String(try MediaSamples.run("sha256sum", [pngURL.path]).prefix(64)))
        XCTAssertEqual(measured.digest.size, UInt64(try Data(contentsOf: pngURL).count))
    }

    func testEmptyDigest() throws {
        let url = try dir.write(Data(), to: "empty")
        let d = try MediaInspector.digest(fileAt: url)
        XCTAssertEqual(d.md5, "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(d.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
