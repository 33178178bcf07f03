import DSR
import Foundation
import TestSupport
import XCTest

final class DSRGzipTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "dsr-gzip") }
    override func tearDown() { directory = nil }

    let gzName = DSRFixture.fileName + ".gz"

    func testGzipReadsLikePlainAndHashesTheStoredBytes() throws {
        let text = DSRFixture.report()
        let plain = try directory.write(text, to: DSRFixture.fileName)
        let packed = try DSRFixture.gzip(Data(text.utf8), in: directory, name: gzName)
        XCTAssertEqual(try DSRFixture.records(packed), try DSRFixture.records(plain))
        let parser = try DSRFileParser(path: packed.path)
        while try parser.next() != nil {}
        let digest = try DSRFileDigest.sha256(path: packed.path)
        XCTAssertEqual(parser.sha256, digest.hex)
        XCTAssertEqual(parser.bytesRead, digest.size)
        XCTAssertEqual(Int(digest.size), try Data(contentsOf: packed).count)
    }

    func testMultiMemberGzip() throws {
        let lines = DSRFixture.report().split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines.prefix(4).joined(separator: "\n") + "\n"
        let rest = lines.dropFirst(4).joined(separator: "\n")
        let a = try DSRFixture.gzip(Data(first.utf8), in: directory, name: "a.gz")
        let b = try DSRFixture.gzip(Data(rest.utf8), in: directory, name: "b.gz")
        let joined = try directory.write(Data(contentsOf: a) + Data(contentsOf: b), to: gzName)
        XCTAssertEqual(try DSRFixture.records(joined).count, 7)
    }

    func testTruncatedGzipNamesTheLineReached() throws {
        // Enough lines that the cut falls well inside the stream.
        let body = [DSRFixture.release(), DSRFixture.resource()] + (1...3000).map { DSRFixture.usage(streams: String($0 % 97), id: "T\($0)") }
        let packed = try Data(contentsOf: DSRFixture.gzip(Data(DSRFixture.report(body: body).utf8), in: directory, name: "full.gz"))
        let cut = try directory.write(packed.prefix(packed.count / 2), to: gzName)
        do {
            _ = try DSRFixture.records(cut)
            XCTFail("a truncated gzip file was read")
        } catch let error as DSRError {
            XCTAssertEqual(error.kind, .gzipTruncated, "\(error)")
            XCTAssertEqual(error.file, gzName)
            let line = try XCTUnwrap(error.line)
            XCTAssertGreaterThan(line, 5)
            XCTAssertLessThan(line, 3008)
            XCTAssertTrue(error.description.contains("after line \(line)"), error.description)
        }
        // Cut inside the 8-byte trailer: every line is there, the CRC is not.
        let trailer = try directory.write(packed.dropLast(3), to: "t" + gzName)
        assertDSRError(.gzipTruncated) { try DSRFixture.records(trailer) }
        let empty = try directory.write(Data(), to: "e" + gzName)
        assertDSRError(.gzipTruncated) { try DSRFixture.records(empty) }
    }

    func testCorruptGzip() throws {
        let text = DSRFixture.report()
        var packed = try Data(contentsOf: DSRFixture.gzip(Data(text.utf8), in: directory, name: "src.gz"))
        // Flip a CRC byte (the trailer is CRC-32 then size).
        packed[packed.count - 6] ^= 0xFF
        let badCRC = try directory.write(packed, to: gzName)
        assertDSRError(.gzipCorrupt) { try DSRFixture.records(badCRC) }
        let notGzip = try directory.write(text, to: "n" + gzName)
        assertDSRError(.gzipCorrupt) { try DSRFixture.records(notGzip) }
        let good = try Data(contentsOf: DSRFixture.gzip(Data(text.utf8), in: directory, name: "g.gz"))
        let junk = try directory.write(good + Data("junk".utf8), to: "j" + gzName)
        assertDSRError(.gzipCorrupt) { try DSRFixture.records(junk) }
    }

    /// A gzip file of a megabyte and more is inflated on a thread of its own: the same records and SHA-256 as read
    /// inline, a cut file still fails with its code after the lines before the cut, and a parse stopped early ends.
    func testLargeGzipIsInflatedAheadWithTheSameResult() throws {
        // Transaction ids of random hex keep the file from compressing below the threshold.
        var generator = SystemRandomNumberGenerator()
        let body = [DSRFixture.release(), DSRFixture.resource()] + (1...60_000).map { n in
            DSRFixture.usage(streams: String(n % 97), id: String(generator.next(), radix: 16) + String(generator.next(), radix: 16))
        }
        let text = DSRFixture.report(body: body)
        let packed = try Data(contentsOf: DSRFixture.gzip(Data(text.utf8), in: directory, name: "big.gz"))
        XCTAssertGreaterThan(packed.count, 1 << 20, "large enough to be inflated ahead")
        let big = try directory.write(packed, to: gzName)
        let plain = try directory.write(text, to: "p" + gzName.replacingOccurrences(of: ".gz", with: ""))
        XCTAssertEqual(try DSRFixture.records(big), try DSRFixture.records(plain))
        let parser = try DSRFileParser(path: big.path)
        while try parser.next() != nil {}
        XCTAssertEqual(parser.sha256, try DSRFileDigest.sha256(path: big.path).hex)
        XCTAssertEqual(parser.bytesRead, Int64(packed.count))

        let cut = try directory.write(packed.prefix(packed.count - 100_000), to: "c" + gzName)
        do {
            _ = try DSRFixture.records(cut)
            XCTFail("a truncated gzip file was read")
        } catch let error as DSRError {
            XCTAssertEqual(error.kind, .gzipTruncated, "\(error)")
            XCTAssertGreaterThan(try XCTUnwrap(error.line), 10_000, "the lines before the cut were read")
        }
        for _ in 0..<20 {
            let early = try DSRFileParser(path: big.path)
            _ = try early.next()
        }
    }
}
