import DDEXModel
@testable import Media
import XCTest

final class WAVProbeTests: InspectorTestCase {
    func testPCMWAV() throws {
        let m = try inspect(MediaSamples.wav(samples: 44100, rate: 44100, bits: 16, channels: 2), as: "a.wav")
        let a = try XCTUnwrap(m.audio)
        XCTAssertEqual(a.codec, .pcm)
        XCTAssertEqual(a.container, "WAV")
        XCTAssertEqual(a.sampleRate, 44100)
        XCTAssertEqual(a.bitsPerSample, 16)
        XCTAssertEqual(a.channels, 2)
        XCTAssertEqual(a.totalSamples, 44100)
        XCTAssertEqual(a.duration.milliseconds, 1000)
        XCTAssertEqual(a.wavFormatTag, 1)
        XCTAssertEqual(a.bytesAfterData, 0)
    }

    func test24BitMonoAndChunkBeforeData() throws {
        let a = try XCTUnwrap(try inspect(MediaSamples.wav(samples: 480, rate: 48000, bits: 24, channels: 1, extraChunkBeforeData: true), as: "a.WAV").audio)
        XCTAssertEqual(a.bitsPerSample, 24)
        XCTAssertEqual(a.channels, 1)
        XCTAssertEqual(a.totalSamples, 480)
        XCTAssertEqual(a.duration.milliseconds, 10)
    }

    func testExtensiblePCMIsAcceptedAndReported() throws {
        let a = try XCTUnwrap(try inspect(MediaSamples.wav(extensibleSubFormat: 1), as: "a.wav").audio)
        XCTAssertEqual(a.wavFormatTag, 0xFFFE)
        XCTAssertEqual(a.codec, .pcm)
    }

    func testExtensibleFloatIsUnsupported() {
        assertProblem(MediaSamples.wav(bits: 32, extensibleSubFormat: 3), as: "a.wav", .mediaUnsupportedFormat)
    }

    func testFloatAndCompressedTagsAreUnsupported() {
        assertProblem(MediaSamples.wav(bits: 32, formatTag: 3), as: "a.wav", .mediaUnsupportedFormat)
        assertProblem(MediaSamples.wav(formatTag: 0x55), as: "a.wav", .mediaUnsupportedFormat)
    }

    func testDataAfterDataChunkIsCounted() throws {
        let a = try XCTUnwrap(try inspect(MediaSamples.wav(trailing: Array("LIST".utf8) + MediaSamples.le32(4) + [1, 2, 3, 4]), as: "a.wav").audio)
        XCTAssertEqual(a.bytesAfterData, 12)
    }

    func testDataChunkPastEndIsTruncated() {
        var bytes = MediaSamples.wav(samples: 441)
        bytes.removeLast(100)
        assertProblem(bytes, as: "a.wav", .mediaTruncated)
    }

    func testHeaderOnlyIsTruncated() {
        assertProblem(Array(MediaSamples.wav().prefix(20)), as: "a.wav", .mediaTruncated)
        assertProblem(Array(MediaSamples.wav().prefix(8)), as: "a.wav", .mediaUnsupportedFormat)
    }

    func testBadBlockAlignIsCorrupt() {
        var bytes = MediaSamples.wav()
        bytes[32] = 7  // block align low byte
        assertProblem(bytes, as: "a.wav", .mediaCorrupt)
    }

    func testNoSamplesIsEmpty() {
        assertProblem(MediaSamples.wav(samples: 0), as: "a.wav", .mediaEmpty)
    }

    func testRF64IsUnsupported() {
        var bytes = MediaSamples.wav()
        bytes.replaceSubrange(0..<4, with: Array("RF64".utf8))
        assertProblem(bytes, as: "a.wav", .mediaUnsupportedFormat)
    }
}
