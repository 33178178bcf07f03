import DDEXConfig
import DDEXModel
import Foundation
@testable import Intake
import TestSupport
import XCTest
import ZIPFoundation

final class ZipPackageUnpackerTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory(prefix: "zip")
    }

    func unpack(_ zip: URL, settings: IntakeSettings = IntakeSettings()) -> ZipPackageUnpacker.Result {
        ZipPackageUnpacker(settings: settings).unpack(zipAt: zip, into: dir.url.appendingPathComponent("out"), displayName: zip.lastPathComponent)
    }

    func testGoodZipUnwrapsItsFolder() throws {
        let result = unpack(IntakeFixtures.packages.appendingPathComponent("album-flac.zip"))
        XCTAssertEqual(result.problems, [])
        let root = try XCTUnwrap(result.root)
        XCTAssertEqual(root.lastPathComponent, "album-flac")
        XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("resources/01.flac")),
                       try Data(contentsOf: IntakeFixtures.album.appendingPathComponent("resources/01.flac")))
    }

    func testHostileZipsAreRefusedBeforeWriting() {
        let cases: [(String, ProblemCode, IntakeSettings)] = [
            ("zip-traversal", .zipUnsafeEntry, IntakeSettings()),
            ("zip-absolute", .zipUnsafeEntry, IntakeSettings()),
            ("zip-symlink", .zipSymlinkEntry, IntakeSettings()),
            ("zip-over-cap", .zipTooLarge, IntakeSettings(maxUnpackedBytes: 65536)),
            ("zip-too-many-entries", .zipTooManyEntries, IntakeSettings(maxZipEntries: 10)),
        ]
        for (name, code, settings) in cases {
            let result = unpack(IntakeFixtures.hostile.appendingPathComponent(name).appendingPathComponent("package.zip"), settings: settings)
            XCTAssertNil(result.root, name)
            XCTAssertEqual(result.problems.first?.code, code, "\(name): \(result.problems)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out").path), name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("evil.txt").path), name)
        }
    }

    func testActualBytesAreCountedWhenHeadersLie() throws {
        // A zip whose headers claim 10 bytes for an entry that inflates to 100000.
        let url = dir.url.appendingPathComponent("liar.zip")
        let archive = try Archive(url: url, accessMode: .create)
        let payload = Data(repeating: 0, count: 100_000)
        try archive.addEntry(with: "big.bin", type: .file, uncompressedSize: Int64(payload.count), compressionMethod: .deflate) { position, size in
            payload.subdata(in: Int(position)..<Int(position) + size)
        }
        var bytes = try Data(contentsOf: url)
        // Patch the uncompressed size in the local header (offset 22) and the central directory entry (offset 24).
        func patch(_ offset: Int) { bytes.replaceSubrange(offset..<offset + 4, with: [10, 0, 0, 0]) }
        patch(22)
        let central = try XCTUnwrap(bytes.range(of: Data([0x50, 0x4B, 0x01, 0x02])))
        patch(central.lowerBound + 24)
        try bytes.write(to: url)
        let result = unpack(url, settings: IntakeSettings(maxUnpackedBytes: 50_000))
        XCTAssertNil(result.root)
        XCTAssertTrue([.zipTooLarge, .zipUnreadable].contains(result.problems.first?.code), "\(result.problems)")
    }

    func testNotAZip() throws {
        let url = try dir.write("not a zip", to: "x.zip")
        XCTAssertEqual(unpack(url).problems.codes(), [.zipUnreadable])
    }
}
