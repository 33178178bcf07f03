import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Harness
import Intake

/// Package metadata as intake reads it: master ERNs (4.3, 3.8.2), `release.json`, `splits.csv`.
enum MetadataTargets {
    static let settings = IntakeSettings()
    /// The XSDs the repository ships (`Config/ddex-xsd`): a master ERN is schema-checked before it is read,
    /// in the fuzzer as in the validator.
    static let schemas = ERNSchemaSet(settings: SchemaSettings(folder: URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config/" + SchemaSettings.shippedFolderName).path))

    static let all = [
        FuzzTarget("master-ern43", "a master ERN 4.3; one that reads cleanly is written for a DSP and reads back the same") { bytes throws(FuzzViolation) in
            try readMaster(bytes, version: .ern43)
        },
        FuzzTarget("master-ern382", "a master ERN 3.8.2; one that reads cleanly is written for a DSP and reads back the same") { bytes throws(FuzzViolation) in
            try readMaster(bytes, version: .ern382)
        },
        FuzzTarget("release-json", "release.json as the package validator reads it") { bytes throws(FuzzViolation) in
            let url = try FuzzScratch.shared.write(bytes, as: "release.json")
            let result = ReleaseJSONReader().read(fileAt: url, relativePath: "release.json", settings: settings)
            try FuzzInvariants.checkExplained(hasValue: result.release != nil, result.problems)
        },
        FuzzTarget("splits-csv", "a package's splits.csv") { bytes throws(FuzzViolation) in
            let url = try FuzzScratch.shared.write(bytes, as: "splits.csv")
            let known: Set<ISRC> = Set(["GBAYE0601498", "GBAYE0601499", "GBAYE0601500"].compactMap { ISRC($0) })
            let result = SplitsCSVReader().read(fileAt: url, relativePath: "splits.csv", knownISRCs: known, maxBytes: 1 << 20)
            try FuzzInvariants.checkProblems(result.problems)
        },
    ]

    /// Reads the bytes as the package validator reads a master ERN. A release read without errors must
    /// survive the writer: written as an ERN message of the same version and read again, it keeps its
    /// ICPN, GRid, title, and every track's ISRC and title.
    static func readMaster(_ bytes: [UInt8], version: ERNVersion) throws(FuzzViolation) {
        let name = "master.xml"
        let url = try FuzzScratch.shared.write(bytes, as: name)
        let result = MasterERNReader(schemas: schemas).read(fileAt: url, relativePath: name, settings: settings)
        try FuzzInvariants.checkExplained(hasValue: result.release != nil, result.problems)
        guard var release = result.release, !result.problems.hasErrors, !release.tracks.isEmpty else { return }
        if release.cover == nil { release.cover = ImageResource(file: ResourceFile(path: "cover.jpg")) }
        let profile = DSPProfile(name: "fuzz", recipientDPID: DPID("PADPIDA2099000002Y")!, recipientName: "Fuzz",
                                 ernVersion: version, choreography: .batch, hashAlgorithms: [.md5],
                                 takedownStyle: .removeDeals, transport: TransportSettings(kind: .local, remoteRoot: "/nonexistent"))
        let context = ERNBuildContext(sender: SenderSettings(dpid: DPID("PADPIDA20990000010")!, name: "Fuzz"), profile: profile,
                                      messageId: "MSG-FUZZ", createdAt: MessageTimestamp(millisecondsSinceEpoch: 1_740_830_400_123, utcOffsetSeconds: 0))
        let (built, problems) = ERNMessageBuilder.message(for: measured(release), context: context)
        try FuzzInvariants.checkProblems(problems)
        guard let message = built, !problems.hasErrors else { return }
        let written: [UInt8]
        do {
            written = try ERNWriter(version: version).bytes(of: message)
        } catch {
            throw FuzzViolation("a release that read cleanly could not be written: \(error)")
        }
        let back = MasterERNReader(schemas: schemas).read(fileAt: try FuzzScratch.shared.write(written, as: "written.xml"),
                                          relativePath: "written.xml", settings: settings)
        guard let again = back.release else { throw FuzzViolation("the written message does not read back: \(back.problems)") }
        guard again.icpn == release.icpn, again.grid == release.grid, again.title == release.title,
              again.tracks.map(\.isrc) == release.tracks.map(\.isrc), again.tracks.map(\.title) == release.tracks.map(\.title)
        else {
            throw FuzzViolation("the written message reads back differently: \(again.title) \(again.tracks.map(\.isrc)) vs \(release.title) \(release.tracks.map(\.isrc))")
        }
    }

    /// Synthetic measurements for every file the release names (the files of a fuzzed ERN do not exist).
    static func measured(_ release: Release) -> ValidatedRelease {
        var resources: [String: MeasuredResource] = [:]
        for (i, file) in release.resourceFiles.enumerated() {
            let digest = SyntheticRelease.fakeDigest(seed: i + 1)
            if release.cover?.file == file {
                resources[file.path] = MeasuredResource(
                    file: file, kind: .image(ImageDetails(codec: .jpeg, width: 3000, height: 3000, components: 3, bitDepth: 8)), digest: digest)
            } else {
                resources[file.path] = MeasuredResource(file: file, kind: .audio(AudioDetails(
                    codec: .flac, container: "FLAC", sampleRate: 44100, bitsPerSample: 16, channels: 2, totalSamples: 44100 * 150,
                    duration: ISODuration(milliseconds: 150_000))), digest: digest)
            }
        }
        return ValidatedRelease(release: release, resources: resources, packageRoot: "/nonexistent")
    }
}
