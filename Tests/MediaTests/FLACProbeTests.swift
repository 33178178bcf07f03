import DDEXModel
@testable import Media
import TestSupport
import XCTest

final class FLACProbeTests: InspectorTestCase {
    func testFLACFromTheFlacTool() throws {
        let wav = MediaSamples.wav(samples: 10000, rate: 48000, bits: 24, channels: 2)
        let flac = try MediaSamples.flac(from: wav, in: dir)
        let m = try inspect(flac, as: "01.flac")
        let a = try XCTUnwrap(m.audio)
        XCTAssertEqual(a.codec, .flac)
        XCTAssertEqual(a.container, "FLAC")
        XCTAssertEqual(a.sampleRate, 48000)
        XCTAssertEqual(a.bitsPerSample, 24)
        XCTAssertEqual(a.channels, 2)
        XCTAssertEqual(a.totalSamples, 10000)
        XCTAssertEqual(a.duration.milliseconds, 208)
        // STREAMINFO's MD5 is the MD5 of the decoded samples, i.e. of the WAV's data chunk.
        let pcm = Array(wav[44...])
        let md5Line = try MediaSamples.run("md5sum", [try dir.write(Data(pcm), to: "pcm.raw").path])
        XCTAssertEqual(a.flacAudioMD5, String(md5Line.prefix(32)))
    }

    func testMetadataBlocksAndSmallChunksAreWalked() throws {
        let flac = try MediaSamples.flac(from: MediaSamples.wav(samples: 5000), in: dir,
                                         extraArguments: ["--padding=5000", "-T", "TITLE=x", "--seekpoint=1s"])
        for chunk in [4096, 7, 1 << 20] {
            let a = try XCTUnwrap(try inspect(flac, as: "b.flac", chunkSize: chunk).audio)
            XCTAssertEqual(a.totalSamples, 5000, "chunk \(chunk)")
        }
    }

    func testTruncatedFLACIsDetected() throws {
        let flac = try MediaSamples.flac(from: MediaSamples.wav(samples: 20000), in: dir)
        for cut in [1, 100, flac.count / 2] {
            assertProblem(Array(flac.dropLast(cut)), as: "t.flac", .mediaTruncated)
        }
        // Cut inside the metadata.
        assertProblem(Array(flac.prefix(60)), as: "t.flac", .mediaTruncated)
        assertProblem(Array(flac.prefix(30)), as: "t.flac", .mediaTruncated)
    }

    func testCorruptSTREAMINFO() throws {
        var flac = try MediaSamples.flac(from: MediaSamples.wav(samples: 2000), in: dir)
        flac[4] = 0x04  // first block type VORBIS_COMMENT instead of STREAMINFO
        assertProblem(flac, as: "c.flac", .mediaCorrupt)
    }

    func testDamagedLastFrameIsDetected() throws {
        var flac = try MediaSamples.flac(from: MediaSamples.wav(samples: 20000), in: dir)
        flac[flac.count - 5] ^= 0x5A
        assertProblem(flac, as: "c.flac", .mediaTruncated)
    }

    func testFrameHeaderParser() throws {
        // Fixed block size 4096 (code 12), 44.1 kHz (code 9), stereo independent, 16 bit, frame 0.
        var h: [UInt8] = [0xFF, 0xF8, 0xC9, 0x18, 0x00]
        h.append(Checksums.crc8(h[...]))
        let header = try XCTUnwrap(FLACProbe.frameHeader(in: h + [0, 0], at: 0))
        XCTAssertEqual(header.blockSize, 4096)
        XCTAssertEqual(header.number, 0)
        XCTAssertTrue(header.fixedBlockSize)
        h[5] ^= 1
        XCTAssertNil(FLACProbe.frameHeader(in: h + [0, 0], at: 0))
    }
}
