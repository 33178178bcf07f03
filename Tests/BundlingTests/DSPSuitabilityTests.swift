import Bundling
import DDEXConfig
import DDEXModel
import ERN
import Harness
import XCTest

final class DSPSuitabilityTests: XCTestCase {
    private func codes(cover: ImageDetails? = nil, audio: AudioDetails? = nil, _ profile: DSPProfile) throws -> [ProblemCode] {
        let release = try SyntheticRelease.album(trackCount: 1, audio: audio, cover: cover)
        return DSPSuitability.problems(for: release, profile: profile).map(\.code)
    }

    func testCoverRules() throws {
        let labelcamp = Profiles.labelcamp()
        XCTAssertEqual(try codes(labelcamp), [])
        XCTAssertEqual(try codes(cover: ImageDetails(codec: .jpeg, width: 1400, height: 1400, components: 3, bitDepth: 8), labelcamp),
                       [.dspCoverTooSmall])
        XCTAssertEqual(try codes(cover: ImageDetails(codec: .jpeg, width: 6000, height: 6000, components: 3, bitDepth: 8), labelcamp),
                       [.dspCoverTooLarge])
        XCTAssertEqual(try codes(cover: ImageDetails(codec: .png, width: 3000, height: 3200, components: 3, bitDepth: 8), labelcamp),
                       [.dspCoverFormatRefused, .dspCoverNotSquare])
        var noCover = try SyntheticRelease.album(trackCount: 1)
        noCover.release.cover = nil
        XCTAssertEqual(DSPSuitability.problems(for: noCover, profile: labelcamp).map(\.code), [.dspCoverMissing])
    }

    func testAudioRules() throws {
        let spotify = Profiles.spotify()
        func wav(_ bits: UInt16, _ rate: UInt32, tag: UInt16) -> AudioDetails {
            AudioDetails(codec: .pcm, container: "WAV", sampleRate: rate, bitsPerSample: bits, channels: 2,
                         totalSamples: UInt64(rate) * 10, duration: ISODuration(milliseconds: 10_000), wavFormatTag: tag)
        }
        XCTAssertEqual(try codes(audio: wav(16, 44100, tag: 1), spotify), [])
        XCTAssertEqual(try codes(audio: wav(16, 44100, tag: 0xFFFE), spotify), [.dspWAVExtensibleRefused])
        XCTAssertEqual(try codes(audio: wav(8, 22050, tag: 1), spotify), [.dspAudioBitDepthRefused, .dspAudioSampleRateRefused])
        var lenient = spotify
        lenient.wavRequirePCMFormatTag = false
        XCTAssertEqual(try codes(audio: wav(24, 48000, tag: 0xFFFE), lenient), [])
    }

    func testTakedownIsAlwaysSuitable() throws {
        var release = try SyntheticRelease.album(trackCount: 1, cover: ImageDetails(codec: .png, width: 10, height: 10, components: 3, bitDepth: 8))
        release.release.takedown = true
        release.release.deals = []
        XCTAssertEqual(DSPSuitability.problems(for: release, profile: Profiles.labelcamp()), [])
    }
}
