import DDEXConfig
import DDEXModel
import Foundation
@testable import Intake
import Media
import TestSupport
import XCTest

final class PackageValidatorTests: XCTestCase {
    var dir: TemporaryDirectory!

    /// XCTest keeps every test case object until the run ends, so the folder goes here, not in deinit.
    override func tearDown() {
        dir = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        dir = try TemporaryDirectory(prefix: "validator")
    }

    func testAlbumFixtureIsValidAndMeasured() throws {
        let before = IntakeFixtures.snapshot(IntakeFixtures.album)
        let report = IntakeFixtures.validator.validate(packageAt: IntakeFixtures.album)
        XCTAssertEqual(IntakeFixtures.snapshot(IntakeFixtures.album), before)
        XCTAssertTrue(report.valid, report.problems.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(report.problems, [])
        XCTAssertEqual(report.metadataFile, "release.json")
        let summary = try XCTUnwrap(report.release)
        XCTAssertEqual(summary.icpn, "0094631432057")
        XCTAssertEqual(summary.grid, "A10302B0001234567I")
        XCTAssertEqual(summary.tracks, 3)
        XCTAssertEqual(summary.cover, "640x640 PNG")
        XCTAssertEqual(summary.duration, ISODuration(milliseconds: 10 + 14 + 7).iso8601)
        let validated = try XCTUnwrap(report.validated)
        XCTAssertEqual(validated.resources.count, 4)
        let t1 = try XCTUnwrap(validated.resources["resources/01.flac"]?.audio)
        XCTAssertEqual(t1.totalSamples, 441)
        XCTAssertEqual(t1.sampleRate, 44100)
        // splits.csv filled the tracks that had no splits in release.json.
        XCTAssertEqual(validated.release.tracks[2].splits, [Split(payee: "Name, With Comma", shareBasisPoints: 5000), Split(payee: "Artist Name", shareBasisPoints: 5000)])
        XCTAssertEqual(validated.release.tracks[0].splits.count, 2)
        let md5 = try XCTUnwrap(validated.resources["resources/cover.png"]?.digest.md5)
        XCTAssertEqual(md5, try MediaInspector.digest(fileAt: IntakeFixtures.album.appendingPathComponent("resources/cover.png")).md5)
    }

    func testSingleFixtureIsValid() throws {
        let report = IntakeFixtures.validator.validate(packageAt: IntakeFixtures.single)
        XCTAssertTrue(report.valid, report.problems.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(report.release?.cover, "640x640 JPEG")
        XCTAssertEqual(report.validated?.resources["resources/01.wav"]?.audio?.wavFormatTag, 1)
        XCTAssertNil(report.release?.grid)
    }

    func testZipPackageIsValidAndTheTemporaryFolderIsRemoved() throws {
        let zip = IntakeFixtures.packages.appendingPathComponent("album-flac.zip")
        let tmp = URL(fileURLWithPath: NSTemporaryDirectory())
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix("ddexd-validate-") })
        let report = IntakeFixtures.validator.validate(packageAt: zip)
        XCTAssertTrue(report.valid, report.problems.map(\.description).joined(separator: "\n"))
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix("ddexd-validate-") })
        XCTAssertEqual(after, before)
        // With a work folder the files stay.
        let work = dir.url.appendingPathComponent("work")
        let kept = IntakeFixtures.validator.validate(packageAt: zip, workFolder: work)
        XCTAssertTrue(kept.valid)
        let root = try XCTUnwrap(kept.validated?.packageRoot)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/resources/01.flac"))
    }

    func testWarningsForDurationUnreferencedFilesAndMissingReady() throws {
        let pkg = try IntakeFixtures.copy(IntakeFixtures.single, into: dir)
        try FileManager.default.removeItem(at: pkg.appendingPathComponent("READY"))
        try dir.write("notes", to: "pkg/resources/notes.txt")
        var json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: pkg.appendingPathComponent("release.json"))) as? [String: Any])
        var tracks = json["tracks"] as! [[String: Any]]
        tracks[0]["duration"] = "PT3M"
        json["tracks"] = tracks
        try Data(IntakeFixtures.bytes(json)).write(to: pkg.appendingPathComponent("release.json"))
        let report = IntakeFixtures.validator.validate(packageAt: pkg)
        XCTAssertTrue(report.valid)
        XCTAssertHasProblem(report.problems, .packageNotReady, severity: .warning)
        XCTAssertHasProblem(report.problems, .resourceUnreferenced, severity: .warning, locationContains: "resources/notes.txt")
        XCTAssertHasProblem(report.problems, .durationMismatch, severity: .warning, locationContains: "release.json: tracks[0].duration")
        XCTAssertEqual(report.validated?.warnings.count, 3)
    }

    /// A stand-in for the master-ERN reader: declares hashes the way a master ERN does.
    struct FakeERNReader: MetadataReader {
        var md5: String
        func canRead(fileName: String) -> Bool { fileName.hasSuffix(".xml") }
        func read(fileAt url: URL, relativePath: String, settings: IntakeSettings) -> MetadataReadResult {
            let track = Track(isrc: try! ISRC(validating: "GBAYE0601498"), title: "T", displayArtist: "A", artists: [Artist(name: "A")],
                              number: 1, file: ResourceFile(path: "resources/01.flac", declaredHash: HashSum(algorithm: .md5, hex: md5)))
            let release = Release(icpn: try! ICPN(validating: "0094631432057"), title: "R", displayArtist: "A", artists: [Artist(name: "A")],
                                  label: "L", genre: "G", releaseType: "Single",
                                  cover: ImageResource(file: ResourceFile(path: "resources/cover.png")), tracks: [track], deals: [])
            return MetadataReadResult(release: release, problems: [])
        }
    }

    func testDeclaredHashMustMatch() throws {
        let pkg = try IntakeFixtures.copy(IntakeFixtures.album, into: dir)
        try FileManager.default.moveItem(at: pkg.appendingPathComponent("release.json"), to: pkg.appendingPathComponent("master.xml"))
        try FileManager.default.removeItem(at: pkg.appendingPathComponent("splits.csv"))
        let actual = try MediaInspector.digest(fileAt: pkg.appendingPathComponent("resources/01.flac")).md5
        let good = PackageValidator(schemas: IntakeFixtures.schemas, readers: [FakeERNReader(md5: actual.uppercased())]).validate(packageAt: pkg)
        XCTAssertTrue(good.problems.with(.hashMismatch).isEmpty, "\(good.problems)")
        let bad = PackageValidator(schemas: IntakeFixtures.schemas, readers: [FakeERNReader(md5: String(repeating: "0", count: 32))]).validate(packageAt: pkg)
        XCTAssertFalse(bad.valid)
        XCTAssertHasProblem(bad.problems, .hashMismatch, locationContains: "resources/01.flac")
    }

    func testAllProblemsOfAPackageInOnePass() throws {
        let pkg = try IntakeFixtures.copy(IntakeFixtures.album, into: dir)
        var json = try IntakeFixtures.albumJSON()
        json["icpn"] = "0094631432058"
        var tracks = json["tracks"] as! [[String: Any]]
        tracks[0]["isrc"] = "bad"
        tracks[1]["file"] = "resources/missing.flac"
        tracks[2]["file"] = "../x.flac"
        json["tracks"] = tracks
        try Data(IntakeFixtures.bytes(json)).write(to: pkg.appendingPathComponent("release.json"))
        try Data("garbage".utf8).write(to: pkg.appendingPathComponent("resources/01.flac"))
        let report = IntakeFixtures.validator.validate(packageAt: pkg)
        XCTAssertFalse(report.valid)
        XCTAssertNil(report.validated)
        for code in [ProblemCode.icpnInvalid, .isrcInvalid, .resourceMissing, .pathTraversal, .mediaUnsupportedFormat] {
            XCTAssertHasProblem(report.problems, code)
        }
    }

    func testMetadataDiscovery() throws {
        let missing = dir.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: missing, withIntermediateDirectories: true)
        XCTAssertEqual(IntakeFixtures.validator.validate(packageAt: missing).problems.errors.codes(), [.metadataMissing])
        XCTAssertEqual(IntakeFixtures.validator.validate(packageAt: dir.url.appendingPathComponent("nope")).problems.codes(), [.packageNotFound])
        let pkg = try IntakeFixtures.copy(IntakeFixtures.single, into: dir)
        try FileManager.default.moveItem(at: pkg.appendingPathComponent("release.json"), to: pkg.appendingPathComponent("master.xml"))
        XCTAssertEqual(PackageValidator(schemas: IntakeFixtures.schemas, readers: [ReleaseJSONReader()]).validate(packageAt: pkg).problems.errors.codes(), [.metadataUnsupported])
        // release.json as a symlink out of the package.
        let other = try IntakeFixtures.copy(IntakeFixtures.single, into: dir, as: "other")
        try FileManager.default.removeItem(at: other.appendingPathComponent("release.json"))
        try FileManager.default.createSymbolicLink(atPath: other.path + "/release.json", withDestinationPath: pkg.path + "/master.xml")
        XCTAssertEqual(IntakeFixtures.validator.validate(packageAt: other).problems.errors.codes(), [.pathSymlinkEscape])
    }

    func testDiscoveryFindsCompletePackagesOnly() throws {
        let inbound = dir.url.appendingPathComponent("inbound")
        try dir.write("", to: "inbound/done/READY")
        try dir.write("{}", to: "inbound/partial/release.json")
        try dir.write("", to: "inbound/.hidden/READY")
        try dir.write("zip", to: "inbound/a.zip")
        try dir.write("", to: "inbound/a.zip.ready")
        try dir.write("zip", to: "inbound/b.zip")
        try FileManager.default.createSymbolicLink(atPath: inbound.path + "/linked", withDestinationPath: inbound.path + "/done")
        let found = try PackageDiscovery.scan(inbound: inbound)
        XCTAssertEqual(found.map(\.name), ["a", "done"])
        XCTAssertEqual(found.map(\.kind), [.zip, .folder])
        XCTAssertEqual(found[0].readyMarker.lastPathComponent, "a.zip.ready")
    }
}
