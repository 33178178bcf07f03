import DDEXModel
@testable import Media
import XCTest

final class ImageProbeTests: InspectorTestCase {
    func testPNG() throws {
        let i = try XCTUnwrap(try inspect(MediaSamples.png(width: 640, height: 320, colourType: 6), as: "cover.png").image)
        XCTAssertEqual(i, ImageDetails(codec: .png, width: 640, height: 320, components: 4, bitDepth: 8))
        let grey = try XCTUnwrap(try inspect(MediaSamples.png(colourType: 0, bitDepth: 16), as: "g.png").image)
        XCTAssertEqual(grey.components, 1)
        XCTAssertEqual(grey.bitDepth, 16)
    }

    func testPNGWithBadIHDRCRCIsCorrupt() {
        assertProblem(MediaSamples.png(corruptIHDRCRC: true), as: "c.png", .mediaCorrupt)
    }

    func testPNGWithImpossibleDepthIsCorrupt() {
        assertProblem(MediaSamples.png(colourType: 2, bitDepth: 4), as: "c.png", .mediaCorrupt)
    }

    func testTruncatedPNG() {
        let png = MediaSamples.png(width: 64, height: 64)
        assertProblem(Array(png.dropLast(20)), as: "t.png", .mediaTruncated)
        assertProblem(Array(png.prefix(20)), as: "t.png", .mediaTruncated)
    }

    func testBaselineAndProgressiveJPEG() throws {
        let i = try XCTUnwrap(try inspect(MediaSamples.jpeg(width: 3000, height: 3000), as: "cover.jpg").image)
        XCTAssertEqual(i, ImageDetails(codec: .jpeg, width: 3000, height: 3000, components: 3, bitDepth: 8))
        let p = try XCTUnwrap(try inspect(MediaSamples.jpeg(width: 800, height: 600, components: 1, sof: 0xC2, fillBytes: 3), as: "p.jpeg").image)
        XCTAssertEqual(p, ImageDetails(codec: .jpeg, width: 800, height: 600, components: 1, bitDepth: 8))
    }

    func testJPEGWithoutEOIIsTruncated() {
        assertProblem(MediaSamples.jpeg(withEOI: false), as: "t.jpg", .mediaTruncated)
        assertProblem(Array(MediaSamples.jpeg().prefix(30)), as: "t.jpg", .mediaTruncated)
    }

    func testJPEGScanBeforeFrameIsCorrupt() {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0]
        bytes += [UInt8](repeating: 0x11, count: 50) + [0xFF, 0xD9]
        assertProblem(bytes, as: "c.jpg", .mediaCorrupt)
        // A byte where a marker belongs.
        var broken = MediaSamples.jpeg()
        broken[20] = 0x00
        assertProblem(broken, as: "c.jpg", .mediaCorrupt)
    }
}
