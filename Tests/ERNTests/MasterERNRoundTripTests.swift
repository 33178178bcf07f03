import DDEXConfig
import DDEXModel
import Harness
@testable import ERN
import Foundation
import Intake
import TestSupport
import XCTest
import XMLSupport

/// The official 4.3 samples read as master ERNs and written for each example DSP keep every ISRC, the ICPN,
/// every title and every deal inside the DSP's territories; the written message reads back to the same.
final class MasterERNRoundTripTests: XCTestCase {
    private func readMaster(_ path: String, name: String) throws -> Release {
        let result = MasterERNReader(schemas: ERNFixtures.schemas)
            .read(fileAt: URL(fileURLWithPath: path), relativePath: name, settings: IntakeSettings())
        XCTAssertFalse(result.problems.hasErrors, "\(name): \(result.problems.errors)")
        return try XCTUnwrap(result.release, name)
    }

    private func readWritten(_ bytes: [UInt8], name: String) throws -> Release {
        let dir = try TemporaryDirectory(prefix: "roundtrip")
        let file = try dir.write(Data(bytes), to: name)
        return try readMaster(file.path, name: name)
    }

    /// Synthetic measurements for every file the release names (the sample's files do not exist).
    private func measured(_ release: Release) -> ValidatedRelease {
        var resources: [String: MeasuredResource] = [:]
        for (i, file) in release.resourceFiles.enumerated() {
            let digest = SyntheticRelease.fakeDigest(seed: i + 1)
            if release.cover?.file == file {
                resources[file.path] = MeasuredResource(
                    file: file, kind: .image(ImageDetails(codec: .jpeg, width: 3000, height: 3000, components: 3, bitDepth: 8)),
                    digest: digest)
            } else {
                let wav = file.fileExtension == "wav"
                resources[file.path] = MeasuredResource(file: file, kind: .audio(AudioDetails(
                    codec: wav ? .pcm : .flac, container: wav ? "WAV" : "FLAC", sampleRate: 44100, bitsPerSample: 16,
                    channels: 2, totalSamples: 44100 * 150, duration: ISODuration(milliseconds: 150_000),
                    wavFormatTag: wav ? 1 : nil)), digest: digest)
            }
        }
        return ValidatedRelease(release: release, resources: resources, packageRoot: "/nonexistent")
    }

    private struct DealKey: Hashable, CustomStringConvertible {
        var territories: [String]
        var excluded: [String]
        var models: Set<String>
        var uses: Set<String>
        var start: String
        var end: String?
        init(_ d: Deal) {
            territories = d.territories.included.map(\.value).sorted()
            excluded = d.territories.excluded.map(\.value).sorted()
            models = Set(d.commercialModels)
            uses = Set(d.useTypes)
            start = d.start.description
            end = d.end?.description
        }
        var description: String { "\(territories)-\(excluded) \(models.sorted()) \(uses.sorted()) \(start)…\(end ?? "")" }
    }

    func testOfficialSamplesSurviveEveryExampleDSP() throws {
        let samples = ["1-Audio.xml", "4-SimpleAudioSingle.xml"]
        var japanOnly = ERNFixtures.spotify()
        japanOnly.name = "japan"
        japanOnly.territories = TerritorySet(included: [ERNFixtures.territory("JP"), ERNFixtures.territory("GB")])
        japanOnly.commercialModels = []
        japanOnly.useTypes = []
        let profiles = [ERNFixtures.spotify(), ERNFixtures.spotify(version: .ern382), ERNFixtures.audius(),
                        ERNFixtures.audius(version: .ern43), japanOnly]
        for sample in samples {
            var original = try readMaster(RepositoryPaths.samples.appendingPathComponent("ern43/\(sample)").path, name: sample)
            XCTAssertFalse(original.tracks.isEmpty, sample)
            // The SimpleAudioSingle sample's image has no file; the Audio profile ddexd writes needs one.
            if original.cover == nil { original.cover = ImageResource(file: ResourceFile(path: "cover.jpg")) }
            let validated = measured(original)
            for profile in profiles {
                let label = "\(sample) → \(profile.name) ERN \(profile.ernVersion.rawValue)"
                let (built, problems) = ERNMessageBuilder.message(for: validated, context: ERNFixtures.context(profile))
                XCTAssertFalse(problems.hasErrors, "\(label): \(problems)")
                let message = try XCTUnwrap(built, label)
                if case .newRelease(let m) = message { XCTAssertEqual(ERNSemanticChecker.check(m), [], label) }
                let bytes = try ERNWriter(version: profile.ernVersion).bytes(of: message)
                try ERNFixtures.assertValid(bytes, schema: ERNFixtures.xsd(for: profile.ernVersion))
                let back = try readWritten(bytes, name: "\(profile.name).xml")

                XCTAssertEqual(back.icpn, original.icpn, label)
                XCTAssertEqual(back.grid, original.grid, label)
                XCTAssertEqual(back.title, original.title, label)
                XCTAssertEqual(back.tracks.map(\.isrc), original.tracks.map(\.isrc), label)
                XCTAssertEqual(back.tracks.map(\.title), original.tracks.map(\.title), label)
                XCTAssertNotNil(back.cover, label)

                // Every deal the DSP may receive is there, and no other.
                let expected = Set(DealFilter.deals(original.deals, for: profile).map(DealKey.init))
                let written = Set(back.deals.map(DealKey.init))
                XCTAssertEqual(written, expected, label)
                if profile.name != "audius" { XCTAssertFalse(expected.isEmpty, "\(label): the sample's deals reach this DSP") }
                for deal in back.deals {
                    XCTAssertNotNil(deal.territories.intersection(profile.territories), "\(label): \(DealKey(deal))")
                }
            }
        }
    }
}
