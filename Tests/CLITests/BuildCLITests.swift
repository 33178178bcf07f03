import Foundation
import TestSupport
import XCTest

/// `ddexd build` through the real binary, for every example DSP, from a release.json package and from the
/// official 1-Audio sample read as a master ERN; every XML in the bundles checked with xmllint.
final class BuildCLITests: XCTestCase {
    private let config = RepositoryPaths.config.appendingPathComponent("ddexd.toml").path

    /// A baseline JPEG of `size` × `size` from the fixture generator (scripts/make-fixtures.py).
    private func writeJPEG(size: Int, to path: String) throws {
        let script = """
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("fixtures", sys.argv[1])
        m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
        open(sys.argv[2], "wb").write(m.jpeg(int(sys.argv[3]), int(sys.argv[3])))
        """
        let r = try CommandRunner.run("python3", ["-c", script, RepositoryPaths.root.appendingPathComponent("scripts/make-fixtures.py").path, path, String(size)])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    /// A 16-bit stereo PCM WAV of `frames` frames of silence.
    private func writeWAV(frames: Int, to path: String) throws {
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        let bytes = frames * 4
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + bytes); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(2); u32(44_100); u32(44_100 * 4); u16(4); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(bytes); d.append(Data(count: bytes))
        try d.write(to: URL(fileURLWithPath: path))
    }

    private func xsd(_ relative: String) -> String { RepositoryPaths.xsd.appendingPathComponent(relative).path }

    /// Builds `package` for every example DSP and checks each bundle's XML with xmllint.
    private func buildForEveryDSP(_ package: String, expecting isrcs: [String], icpn: String) throws {
        for (dsp, schema) in [("spotify", "ern43/release-notification.xsd"), ("youtube", "ern43/release-notification.xsd"),
                              ("labelcamp", "ern382/release-notification.xsd")]
        {
            let out = try TemporaryDirectory(prefix: "build-\(dsp)")
            let r = try CommandRunner.run(CommandRunner.ddexd, ["build", package, "--dsp", dsp, "--out", out.path, "--config", config, "--format", "json"])
            XCTAssertEqual(r.status, 0, "\(dsp): \(r.stdout)\(r.stderr)")
            let files = FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? []
            let messages = files.filter { $0.hasSuffix(".xml") && !$0.contains("BatchComplete_") }
            let manifests = files.filter { $0.contains("BatchComplete_") }
            XCTAssertEqual(messages.count, 1, "\(dsp): \(files)")
            XCTAssertEqual(manifests.count, 1, "\(dsp): \(files)")
            for message in messages {
                let lint = try CommandRunner.run("xmllint", ["--noout", "--nonet", "--schema", xsd(schema), out.path + "/" + message])
                XCTAssertEqual(lint.status, 0, "\(dsp) \(message): \(lint.stderr)")
                let xml = try String(contentsOfFile: out.path + "/" + message, encoding: .utf8)
                for isrc in isrcs { XCTAssertTrue(xml.contains(">\(isrc)<"), "\(dsp): \(isrc) missing") }
                XCTAssertTrue(xml.contains(">\(icpn)<"), "\(dsp): ICPN missing")
            }
            for manifest in manifests {
                let lint = try CommandRunner.run("xmllint", ["--noout", "--nonet", "--schema", xsd("ern-c-sftp18/ern-choreography-sftp.xsd"),
                                                             out.path + "/" + manifest])
                XCTAssertEqual(lint.status, 0, "\(dsp) \(manifest): \(lint.stderr)")
            }
        }
    }

    func testReleaseJSONPackageBuildsForEveryExampleDSP() throws {
        let dir = try TemporaryDirectory(prefix: "build-json")
        let package = dir.path + "/album"
        try FileManager.default.copyItem(atPath: RepositoryPaths.fixtures.appendingPathComponent("packages/album-flac").path, toPath: package)
        // Labelcamp takes square JPEG art of 3000–4500 px only: give the album such a cover.
        try FileManager.default.removeItem(atPath: package + "/resources/cover.png")
        try writeJPEG(size: 3000, to: package + "/resources/cover.jpg")
        var json = try String(contentsOfFile: package + "/release.json", encoding: .utf8)
        json = json.replacingOccurrences(of: "resources/cover.png", with: "resources/cover.jpg")
            .replacingOccurrences(of: "\"dsps\": [\"spotify\", \"youtube\"]", with: "\"dsps\": [\"spotify\", \"youtube\", \"labelcamp\"]")
        try json.write(toFile: package + "/release.json", atomically: true, encoding: .utf8)
        let isrcs = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let tracks = (isrcs?["tracks"] as? [[String: Any]] ?? []).compactMap { $0["isrc"] as? String }
        XCTAssertEqual(tracks.count, 3)
        try buildForEveryDSP(package, expecting: tracks, icpn: "0094631432057")
    }

    func testOfficialAudioSampleAsMasterERNBuildsForEveryExampleDSP() throws {
        let dir = try TemporaryDirectory(prefix: "build-ern")
        let package = dir.path + "/sample"
        try FileManager.default.createDirectory(atPath: package, withIntermediateDirectories: true)
        let sample = RepositoryPaths.samples.appendingPathComponent("ern43/1-Audio.xml").path
        try FileManager.default.copyItem(atPath: sample, toPath: package + "/1-Audio.xml")
        let xml = try String(contentsOfFile: sample, encoding: .utf8)
        let uris = xml.components(separatedBy: "<URI>").dropFirst().compactMap { $0.components(separatedBy: "</URI>").first }
        XCTAssertGreaterThan(uris.count, 10)
        for uri in uris {
            if uri.hasSuffix(".wav") { try writeWAV(frames: 4410, to: package + "/" + uri) }
            if uri.hasSuffix(".jpg") { try writeJPEG(size: 3000, to: package + "/" + uri) }
        }
        FileManager.default.createFile(atPath: package + "/READY", contents: Data())
        let isrcs = xml.components(separatedBy: "<ISRC>").dropFirst().compactMap { $0.components(separatedBy: "</ISRC>").first }
        XCTAssertGreaterThan(isrcs.count, 10)
        let validate = try CommandRunner.run(CommandRunner.ddexd, ["validate", package, "--format", "json", "--config", config])
        XCTAssertEqual(validate.status, 0, validate.stdout)
        try buildForEveryDSP(package, expecting: isrcs, icpn: "00094631432057")
    }
}
