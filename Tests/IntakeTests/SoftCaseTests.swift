import DDEXConfig
import DDEXModel
import Foundation
@testable import Intake
import TestSupport
import XCTest

/// The inputs the hidden corpus showed were taken though mature software refuses or flags them, each with the
/// decision the README's code tables record. The fixtures under `Fixtures/hostile/` cover the same cases
/// through the whole validator; these look at the details (locations, messages, limits).
final class SoftCaseTests: XCTestCase {
    var dir: TemporaryDirectory!

    /// XCTest keeps every test case object until the run ends, so the folder goes here, not in deinit.
    override func tearDown() {
        dir = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        dir = try TemporaryDirectory(prefix: "soft")
    }

    private func readAlbum(_ change: (inout [String: Any]) -> Void) throws -> MetadataReadResult {
        var object = try IntakeFixtures.albumJSON()
        change(&object)
        return ReleaseJSONReader().read(bytes: try IntakeFixtures.bytes(object), relativePath: "release.json")
    }

    // MARK: Text fields

    func testControlCharactersInAnyTextFieldAreRefusedAndNamed() throws {
        for bad in ["Album\u{0}Title", "Line\nBreak", "Tab\tbed", "C1\u{85}control", "DEL\u{7F}"] {
            let result = try readAlbum { o in
                var tracks = o["tracks"] as! [[String: Any]]
                tracks[1]["title"] = bad
                o["tracks"] = tracks
            }
            let problem = try XCTUnwrap(result.problems.first { $0.code == .textControlCharacter }, "\(bad.debugDescription): \(result.problems)")
            XCTAssertTrue(problem.location.hasPrefix("release.json:") && problem.location.hasSuffix(": tracks[1].title"), problem.location)
            XCTAssertTrue(problem.message.contains("U+00"), problem.message)
            XCTAssertFalse(problem.message.contains(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }),
                           "the message itself holds no control character: \(problem.message.debugDescription)")
        }
        // Leading and trailing white space is trimmed, not refused.
        let padded = try readAlbum { $0["title"] = "\n  Album Title \t" }
        XCTAssertEqual(padded.release?.title, "Album Title")
        XCTAssertFalse(padded.problems.hasErrors, "\(padded.problems)")
    }

    /// 16 MiB in one title: refused with the field and the limit, and the message stays short.
    func testAHugeTitleIsRefusedWithTheLimit() throws {
        let huge = String(repeating: "x", count: 16 << 20)
        let result = try readAlbum { $0["title"] = huge }
        let problem = try XCTUnwrap(result.problems.first { $0.code == .textTooLong })
        XCTAssertTrue(problem.location.hasSuffix(": title"), problem.location)
        XCTAssertTrue(problem.message.contains("16777216 characters") && problem.message.contains("limit is \(TextRules.maxFieldLength)"), problem.message)
        XCTAssertLessThan(problem.message.count, 300)
        XCTAssertNil(result.problems.first { $0.message.count > 1000 }, "no message echoes the value")
        let fits = try readAlbum { $0["title"] = String(repeating: "é", count: TextRules.maxFieldLength) }
        XCTAssertFalse(fits.problems.hasErrors, "exactly the limit is fine: \(fits.problems.prefix(2))")
    }

    func testPayeesInSplitsCSVFollowTheSameRules() throws {
        let csv = "isrc,payee,share_bp\nGBAYE0601498,Bad\u{7}Payee,10000\n"
        let result = SplitsCSVReader().read(bytes: Array(csv.utf8), relativePath: "splits.csv", knownISRCs: [try ISRC(validating: "GBAYE0601498")])
        XCTAssertEqual(result.problems.map(\.code), [.textControlCharacter])
        XCTAssertEqual(result.problems.first?.location, "splits.csv:2: payee")
    }

    /// XML refuses NUL and most C0 characters itself; C1 characters and line breaks inside a title pass
    /// XML and the XSD, and are refused by the same rule.
    func testMasterERNTextFollowsTheSameRules() throws {
        var text = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("ern/master-382.xml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "<TitleText>Example Album</TitleText>", with: "<TitleText>Example&#x85;Album</TitleText>")
        let result = MasterERNReader(schemas: IntakeFixtures.schemas).read(bytes: Array(text.utf8), name: "master.xml")
        let problem = try XCTUnwrap(result.problems.first { $0.code == .textControlCharacter }, "\(result.problems)")
        XCTAssertEqual(problem.location, "master.xml: title")
    }

    func testIdentifierMessagesEscapeWhatTheLabelSent() throws {
        let result = try readAlbum { $0["icpn"] = "0094\n631432057" + String(repeating: "9", count: 5000) }
        let problem = try XCTUnwrap(result.problems.first { $0.code == .icpnInvalid })
        XCTAssertTrue(problem.message.contains("\\u{A}"), problem.message)
        XCTAssertLessThan(problem.message.count, 300)
    }

    // MARK: Deals

    func testATerritoryBothIncludedAndExcludedIsRefused() throws {
        let result = try readAlbum { o in
            var deals = o["deals"] as! [[String: Any]]
            deals[0]["territories"] = ["GB", "FR", "DE"]
            deals[0]["excludedTerritories"] = ["DE", "GB"]
            o["deals"] = deals
        }
        let problem = try XCTUnwrap(result.problems.first { $0.code == .dealTerritoryConflict }, "\(result.problems)")
        XCTAssertTrue(problem.location.hasSuffix(": deals[0].excludedTerritories"), problem.location)
        XCTAssertTrue(problem.message.hasPrefix("DE, GB is both"), problem.message)
        // Worldwide minus a territory is the ordinary way to exclude one.
        let worldwide = try readAlbum { o in
            var deals = o["deals"] as! [[String: Any]]
            deals[0]["excludedTerritories"] = ["CU"]
            o["deals"] = deals
        }
        XCTAssertFalse(worldwide.problems.hasErrors, "\(worldwide.problems)")
    }

    /// The ERN schemas make TerritoryCode and ExcludedTerritoryCode a choice: the XSD refuses both in one deal.
    func testMasterERNTerritoryConflictIsRefused() throws {
        var text = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("ern/master-382.xml"), encoding: .utf8)
        let included = "<TerritoryCode>GB</TerritoryCode>"
        XCTAssertTrue(text.contains(included))
        text = text.replacingOccurrences(of: included, with: included + "\n            <ExcludedTerritoryCode>GB</ExcludedTerritoryCode>")
        let result = MasterERNReader(schemas: IntakeFixtures.schemas).read(bytes: Array(text.utf8), name: "master.xml")
        XCTAssertEqual(result.problems.map(\.code), [.xsdInvalid], "\(result.problems)")
        XCTAssertTrue(result.problems[0].location.hasSuffix(": ExcludedTerritoryCode"), result.problems[0].location)
    }

    // MARK: Files

    func testFileNamesWithControlCharactersAreRefused() throws {
        let pkg = try IntakeFixtures.copy(IntakeFixtures.album, into: dir)
        try FileManager.default.moveItem(at: pkg.appendingPathComponent("resources/03.flac"), to: pkg.appendingPathComponent("resources/03\n.flac"))
        var json = try IntakeFixtures.albumJSON()
        var tracks = json["tracks"] as! [[String: Any]]
        tracks[2]["file"] = "resources/03\n.flac"
        json["tracks"] = tracks
        try Data(IntakeFixtures.bytes(json)).write(to: pkg.appendingPathComponent("release.json"))
        let report = IntakeFixtures.validator.validate(packageAt: pkg)
        XCTAssertFalse(report.valid)
        XCTAssertHasProblem(report.problems, .pathInvalid, locationContains: "resources/03\\u{A}.flac")
        XCTAssertTrue(report.problems.with(.pathInvalid).allSatisfy { $0.message.contains("U+000A") }, "\(report.problems)")
    }

    /// `café.flac` composed (NFC) and decomposed (NFD) are two files on ext4 and one name to Swift, macOS and
    /// most DSPs: refused as duplicates, with a message that says why.
    func testUnicodeTwinFileNamesAreRefusedAsDuplicates() throws {
        let pkg = try IntakeFixtures.copy(IntakeFixtures.album, into: dir)
        let composed = "caf\u{E9}.txt", decomposed = "cafe\u{301}.txt"
        XCTAssertEqual(composed, decomposed, "Swift sees one name")
        FileManager.default.createFile(atPath: pkg.path + "/resources/" + composed, contents: Data("a".utf8))
        FileManager.default.createFile(atPath: pkg.path + "/resources/" + decomposed, contents: Data("b".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: pkg.path + "/resources").filter { $0.hasPrefix("caf") }.count, 2,
                       "the file system keeps two")
        let report = IntakeFixtures.validator.validate(packageAt: pkg)
        XCTAssertFalse(report.valid)
        let problem = try XCTUnwrap(report.problems.first { $0.code == .pathUnicodeDuplicate }, "\(report.problems)")
        XCTAssertTrue(problem.message.contains("two Unicode forms") && problem.message.contains("duplicates"), problem.message)
    }

    // MARK: Images

    /// A PNG whose header claims 100000 × 100000 px is refused from the header: nothing is decoded.
    func testAnImageHeaderClaimingTooManyPixelsIsRefused() throws {
        let report = IntakeFixtures.validator.validate(packageAt: IntakeFixtures.hostile.appendingPathComponent("png-pixel-bomb"))
        let problem = try XCTUnwrap(report.problems.first { $0.code == .mediaImageTooLarge }, "\(report.problems)")
        XCTAssertEqual(problem.location, "resources/cover.png")
        XCTAssertTrue(problem.message.contains("100000×100000"), problem.message)
    }

    // MARK: Byte order marks

    /// Decision: a UTF-8 BOM at the start of release.json (or splits.csv) is accepted and ignored.
    func testAUTF8ByteOrderMarkIsAccepted() throws {
        let bytes = try Array(Data(contentsOf: IntakeFixtures.album.appendingPathComponent("release.json")))
        let result = ReleaseJSONReader().read(bytes: [0xEF, 0xBB, 0xBF] + bytes, relativePath: "release.json")
        XCTAssertEqual(result.problems, [])
        XCTAssertEqual(result.release?.title, "Album Title")
        let csv = SplitsCSVReader().read(bytes: [0xEF, 0xBB, 0xBF] + Array("isrc,payee,share_bp\nGBAYE0601498,A,10000\n".utf8),
                                         relativePath: "splits.csv", knownISRCs: [try ISRC(validating: "GBAYE0601498")])
        XCTAssertEqual(csv.problems, [])
        // UTF-16 with its BOM is not UTF-8: refused.
        let utf16 = ReleaseJSONReader().read(bytes: [0xFF, 0xFE] + Array("{}".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
                                             relativePath: "release.json")
        XCTAssertEqual(utf16.problems.map(\.code), [.jsonNotUTF8])
    }
}
