import DDEXConfig
import DDEXModel
import Foundation
@testable import Intake
import TestSupport
import XCTest
import ZIPFoundation

final class ZipPackageUnpackerTests: XCTestCase {
    var dir: TemporaryDirectory!

    /// XCTest keeps every test case object until the run ends, so the folder goes here, not in deinit.
    override func tearDown() {
        dir = nil
        super.tearDown()
    }

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
            ("zip-twins", .zipDuplicateEntry, IntakeSettings()),
            ("zip-control-name", .zipUnsafeEntry, IntakeSettings()),
            ("zip-ratio", .zipRatioTooHigh, IntakeSettings()),
        ]
        for (name, code, settings) in cases {
            let result = unpack(IntakeFixtures.hostile.appendingPathComponent(name).appendingPathComponent("package.zip"), settings: settings)
            XCTAssertNil(result.root, name)
            XCTAssertEqual(result.problems.first?.code, code, "\(name): \(result.problems)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out").path), name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("evil.txt").path), name)
        }
    }

    func testUnicodeTwinsAreNamedAsDuplicates() throws {
        let result = unpack(IntakeFixtures.hostile.appendingPathComponent("zip-twins/package.zip"))
        let message = try XCTUnwrap(result.problems.first?.message)
        XCTAssertTrue(message.contains("two Unicode forms") && message.contains("duplicates"), message)
    }

    /// Written while unpacking, then refused: what was written goes, the folder the caller gave stays, empty.
    func testARefusalMidWayLeavesNothing() throws {
        for name in ["zip-bomb-entry", "zip-endless-deflate"] {
            let out = dir.url.appendingPathComponent(name)
            let result = ZipPackageUnpacker().unpack(zipAt: IntakeFixtures.hostile.appendingPathComponent("\(name)/package.zip"),
                                                     into: out, displayName: "package.zip")
            XCTAssertNil(result.root, name)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [], name)
        }
    }

    /// 64 MiB of zeros behind a header declaring 1 MiB: the extractor stops before a byte past 1 MiB is handed on.
    func testAnEntryStopsAtItsDeclaredSize() throws {
        let archive = try ZipArchive(path: IntakeFixtures.hostile.appendingPathComponent("zip-bomb-entry/package.zip").path)
        let bomb = try XCTUnwrap(try archive.entries().first { $0.name == "resources/padding.bin" })
        XCTAssertEqual(bomb.uncompressedSize, 1 << 20)
        var handedOn: UInt64 = 0
        let started = Date()
        XCTAssertThrowsError(try ZipEntryExtractor(archive: archive, shouldStop: { false }).extract(bomb) { handedOn += UInt64($0.count) }) { error in
            guard case ZipEntryExtractor.Failure.tooLarge(let declared, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(declared, 1 << 20)
        }
        XCTAssertLessThanOrEqual(handedOn, 1 << 20)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "stopped at once, not after inflating 64 MiB")
        let result = unpack(IntakeFixtures.hostile.appendingPathComponent("zip-bomb-entry/package.zip"))
        XCTAssertEqual(result.problems.codes(), [.zipSizeMismatch])
        XCTAssertTrue(result.problems[0].location.hasSuffix("package.zip: resources/padding.bin"), result.problems[0].location)
    }

    /// A deflate stream that needs more input than its entry has: refused at once (a general-purpose reader
    /// waited for more bytes forever).
    func testADeflateStreamThatNeverEndsIsRefusedAtOnce() throws {
        let started = Date()
        let result = unpack(IntakeFixtures.hostile.appendingPathComponent("zip-endless-deflate/package.zip"))
        XCTAssertEqual(result.problems.codes(), [.zipUnreadable])
        XCTAssertTrue(result.problems[0].message.contains("needs more bytes"), result.problems[0].message)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
    }

    func testFreeSpaceIsCheckedBeforeUnpacking() throws {
        let unpacker = ZipPackageUnpacker(availableBytes: { _ in 1000 })
        let out = dir.url.appendingPathComponent("out")
        let result = unpacker.unpack(zipAt: IntakeFixtures.packages.appendingPathComponent("album-flac.zip"), into: out, displayName: "album.zip")
        XCTAssertEqual(result.problems.codes(), [.zipNoSpace])
        XCTAssertTrue(result.problems[0].message.contains("9688 bytes") && result.problems[0].message.contains("only 1000 bytes free"),
                      result.problems[0].message)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [])
        XCTAssertNotNil(ZipPackageUnpacker.availableBytes(at: dir.path), "statvfs answers for a real folder")
    }

    func testStoppingMidWayKeepsNothing() throws {
        let out = dir.url.appendingPathComponent("out")
        let result = ZipPackageUnpacker(shouldStop: { true })
            .unpack(zipAt: IntakeFixtures.packages.appendingPathComponent("album-flac.zip"), into: out, displayName: "album.zip")
        XCTAssertEqual(result.problems.codes(), [.zipInterrupted])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [])
    }

    func testNamesWithoutTheUTF8FlagAreCP437() {
        XCTAssertEqual(CP437.decode(Array("caf".utf8) + [0x82, 0x2E, 0x74, 0x78, 0x74]), "café.txt")
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
        XCTAssertEqual(result.problems.codes(), [.zipSizeMismatch], "\(result.problems)")
    }

    func testNotAZip() throws {
        let url = try dir.write("not a zip", to: "x.zip")
        XCTAssertEqual(unpack(url).problems.codes(), [.zipUnreadable])
    }
}
