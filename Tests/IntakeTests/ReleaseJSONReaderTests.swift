import DDEXConfig
import DDEXModel
import Foundation
@testable import Intake
import XCTest

final class ReleaseJSONReaderTests: XCTestCase {
    let reader = ReleaseJSONReader()

    func read(_ object: [String: Any]) throws -> MetadataReadResult {
        reader.read(bytes: try IntakeFixtures.bytes(object), relativePath: "release.json")
    }

    /// Reads the album with `change` applied and returns the problems.
    func problems(_ change: (inout [String: Any]) -> Void) throws -> [Problem] {
        var object = try IntakeFixtures.albumJSON()
        change(&object)
        return try read(object).problems
    }

    func mutateTrack(_ o: inout [String: Any], _ index: Int = 0, _ change: (inout [String: Any]) -> Void) {
        var tracks = o["tracks"] as! [[String: Any]]
        change(&tracks[index])
        o["tracks"] = tracks
    }

    func mutateDeal(_ o: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
        var deals = o["deals"] as! [[String: Any]]
        change(&deals[0])
        o["deals"] = deals
    }

    func testAlbumFixtureReadsCompletely() throws {
        let result = reader.read(fileAt: IntakeFixtures.album.appendingPathComponent("release.json"), relativePath: "release.json",
                                 settings: IntakeSettings())
        XCTAssertEqual(result.problems, [])
        let r = try XCTUnwrap(result.release)
        XCTAssertEqual(r.icpn?.value, "0094631432057")
        XCTAssertEqual(r.grid?.value, "A10302B0001234567I")
        XCTAssertEqual(r.title, "Album Title")
        XCTAssertEqual(r.releaseType, "Album")
        XCTAssertEqual(r.releaseDate?.description, "2026-12-04")
        XCTAssertEqual(r.language?.value, "en")
        XCTAssertEqual(r.pLine, RightsLine(year: 2026, text: "2026 Label Name"))
        XCTAssertEqual(r.cover?.file.path, "resources/cover.png")
        XCTAssertEqual(r.tracks.count, 3)
        XCTAssertEqual(r.tracks[0].isrc.value, "GBAYE0601498")
        XCTAssertEqual(r.tracks[0].iswc?.value, "T0345246801")
        XCTAssertEqual(r.tracks[0].splits, [Split(payee: "Artist Name", shareBasisPoints: 8000), Split(payee: "Producer Name", shareBasisPoints: 2000)])
        XCTAssertEqual(r.tracks[0].contributors, [Contributor(name: "Writer Name", role: "Composer")])
        XCTAssertEqual(r.deals.count, 1)
        XCTAssertEqual(r.deals[0].territories.included, [.worldwide])
        XCTAssertNil(r.deals[0].end)
        XCTAssertEqual(r.dsps, ["spotify", "youtube"])
        XCTAssertFalse(r.takedown)
    }

    func testIdentifiersAreCheckedWithTheirLines() throws {
        let p = try problems { o in
            o["icpn"] = "0094631432058"
            o["grid"] = "A10302B0001234567X"
            mutateTrack(&o) { $0["isrc"] = "GB-AYE-06-01498"; $0["iswc"] = "T0345246802" }
            o["artists"] = [["name": "A", "role": "MainArtist", "isni": "0000000114819104"]]
        }
        XCTAssertHasProblem(p, .icpnInvalid, locationContains: "release.json:")
        XCTAssertHasProblem(p, .gridInvalid, locationContains: ": grid")
        XCTAssertHasProblem(p, .isrcInvalid, locationContains: ": tracks[0].isrc")
        XCTAssertHasProblem(p, .iswcInvalid, locationContains: ": tracks[0].iswc")
        XCTAssertHasProblem(p, .isniInvalid, locationContains: "artists[0].isni")
        // Line numbers point into the pretty-printed file.
        let icpn = try XCTUnwrap(p.with(.icpnInvalid).first)
        XCTAssertTrue(icpn.location.range(of: #"^release\.json:\d+: icpn$"#, options: .regularExpression) != nil, icpn.location)
    }

    func testAllProblemsAreCollectedInOnePass() throws {
        let p = try problems { o in
            o["releaseType"] = "LP"
            o["parentalWarning"] = "Dirty"
            o["language"] = "en_US"
            o["releaseDate"] = "2026-02-30"
            o["title"] = ""
            o.removeValue(forKey: "label")
            mutateTrack(&o, 1) { $0["artists"] = [["name": "X", "role": "Singer"]] }
            mutateTrack(&o, 2) { $0["contributors"] = [["name": "X", "role": "Plumber"]] }
        }
        XCTAssertHasProblem(p, .valueNotAllowed, locationContains: "releaseType")
        XCTAssertHasProblem(p, .valueNotAllowed, locationContains: "parentalWarning")
        XCTAssertHasProblem(p, .valueNotAllowed, locationContains: "tracks[1].artists[0].role")
        XCTAssertHasProblem(p, .valueNotAllowed, locationContains: "tracks[2].contributors[0].role")
        XCTAssertHasProblem(p, .languageInvalid)
        XCTAssertHasProblem(p, .dateInvalid, locationContains: "releaseDate")
        XCTAssertHasProblem(p, .fieldRequired, locationContains: "title")
        XCTAssertHasProblem(p, .fieldRequired, locationContains: "label")
        XCTAssertEqual(p.errors.count, 8, p.map(\.description).joined(separator: "\n"))
    }

    func testWrongTypes() throws {
        let p = try problems { o in
            o["title"] = 5
            o["takedown"] = "no"
            mutateTrack(&o) { $0["number"] = "1"; $0["disc"] = 1.5 }
            o["deals"] = "worldwide"
        }
        XCTAssertHasProblem(p, .jsonType, locationContains: "title")
        XCTAssertHasProblem(p, .jsonType, locationContains: "takedown")
        XCTAssertHasProblem(p, .jsonType, locationContains: "tracks[0].number")
        XCTAssertHasProblem(p, .jsonType, locationContains: "tracks[0].disc")
        XCTAssertHasProblem(p, .jsonType, locationContains: "deals")
    }

    func testTrackListRules() throws {
        let p = try problems { o in
            mutateTrack(&o, 1) { $0["isrc"] = "gbaye0601498" }  // same as track 0 once upper-cased
            mutateTrack(&o, 2) { $0["number"] = 1 }
        }
        XCTAssertHasProblem(p, .isrcDuplicate, locationContains: "tracks[1].isrc")
        XCTAssertHasProblem(p, .trackNumberDuplicate, locationContains: "tracks[2].number")
        let gap = try problems { o in mutateTrack(&o, 2) { $0["number"] = 5 } }
        XCTAssertHasProblem(gap, .trackNumberGap, severity: .warning)
        XCTAssertFalse(gap.hasErrors)
        let zero = try problems { o in mutateTrack(&o) { $0["number"] = 0 } }
        XCTAssertHasProblem(zero, .valueOutOfRange, locationContains: "tracks[0].number")
        let none = try problems { o in o["tracks"] = [] as [Any] }
        XCTAssertHasProblem(none, .fieldRequired, locationContains: "tracks")
    }

    func testSplits() throws {
        let sum = try problems { o in mutateTrack(&o) { $0["splits"] = [["payee": "A", "shareBasisPoints": 8000], ["payee": "B", "shareBasisPoints": 1000]] } }
        XCTAssertHasProblem(sum, .splitsSumInvalid, locationContains: "tracks[0].splits")
        let dup = try problems { o in mutateTrack(&o) { $0["splits"] = [["payee": "A", "shareBasisPoints": 5000], ["payee": "A", "shareBasisPoints": 5000]] } }
        XCTAssertHasProblem(dup, .splitPayeeDuplicate)
        let share = try problems { o in mutateTrack(&o) { $0["splits"] = [["payee": "A", "shareBasisPoints": 12000]] } }
        XCTAssertHasProblem(share, .splitShareInvalid)
        XCTAssertTrue(share.with(.splitsSumInvalid).isEmpty, "no sum problem on top of a bad share")
    }

    func testDeals() throws {
        let p = try problems { o in
            mutateDeal(&o) {
                $0["territories"] = ["WW", "gb", "FR"]
                $0["excludedTerritories"] = ["XX"]
                $0["commercialModels"] = ["Streaming"]
                $0["useTypes"] = [] as [Any]
                $0["start"] = "2026-12-04"
                $0["end"] = "2026-06-01"
                $0["tracks"] = ["GBAYE0609999"]
            }
        }
        XCTAssertEqual(p.with(.territoryUnknown).count, 3)
        XCTAssertHasProblem(p, .valueNotAllowed, locationContains: "deals[0].commercialModels[0]")
        XCTAssertHasProblem(p, .fieldRequired, locationContains: "deals[0].useTypes")
        XCTAssertHasProblem(p, .dealPeriodInvalid, locationContains: "deals[0].end")
        XCTAssertHasProblem(p, .dealTrackUnknown, locationContains: "deals[0].tracks[0]")
        let none = try problems { o in o["deals"] = [] as [Any] }
        XCTAssertHasProblem(none, .dealsMissing)
        let takedown = try problems { o in o["deals"] = [] as [Any]; o["takedown"] = true }
        XCTAssertTrue(takedown.with(.dealsMissing).isEmpty)
        let noStart = try problems { o in mutateDeal(&o) { $0.removeValue(forKey: "start") } }
        XCTAssertHasProblem(noStart, .fieldRequired, locationContains: "deals[0].start")
    }

    func testReleaseIdAndOptionalFields() throws {
        let p = try problems { o in
            o.removeValue(forKey: "icpn")
            o["grid"] = NSNull()
            o.removeValue(forKey: "cover")
            o["relaseDate"] = "2026-01-01"
            o["dsps"] = [] as [Any]
        }
        XCTAssertHasProblem(p, .releaseIdMissing)
        XCTAssertHasProblem(p, .coverMissing, severity: .warning)
        XCTAssertHasProblem(p, .jsonUnknownField, severity: .warning, locationContains: "relaseDate")
        XCTAssertHasProblem(p, .fieldRequired, locationContains: "dsps")
    }

    func testDefaultsAndInheritance() throws {
        var o = try IntakeFixtures.albumJSON()
        o.removeValue(forKey: "parentalWarning")
        mutateTrack(&o) { t in
            t.removeValue(forKey: "displayArtist")
            t.removeValue(forKey: "artists")
            t.removeValue(forKey: "parentalWarning")
            t.removeValue(forKey: "disc")
            t["duration"] = "PT3M25S"
        }
        let result = try read(o)
        XCTAssertEqual(result.problems, [])
        let r = try XCTUnwrap(result.release)
        XCTAssertEqual(r.parentalWarning, "NoAdviceAvailable")
        XCTAssertEqual(r.tracks[0].parentalWarning, "NoAdviceAvailable")
        XCTAssertEqual(r.tracks[0].displayArtist, "Artist Name")
        XCTAssertEqual(r.tracks[0].artists, [Artist(name: "Artist Name", role: "MainArtist")])
        XCTAssertEqual(r.tracks[0].disc, 1)
        XCTAssertEqual(r.tracks[0].declaredDuration?.milliseconds, 205_000)
    }

    func testBadTrackStillNamesItsFile() throws {
        var o = try IntakeFixtures.albumJSON()
        mutateTrack(&o) { $0["isrc"] = "bad" }
        let result = try read(o)
        XCTAssertEqual(result.release?.tracks.count, 2)
        XCTAssertEqual(result.unmodelledResources.map(\.path), ["resources/01.flac"])
    }

    func testSyntaxEncodingAndEmptiness() {
        let empty = reader.read(bytes: [], relativePath: "release.json")
        XCTAssertEqual(empty.problems.codes(), [.jsonEmpty])
        XCTAssertNil(empty.release)
        XCTAssertEqual(reader.read(bytes: Array(" \n\t".utf8), relativePath: "release.json").problems.codes(), [.jsonEmpty])
        let latin1: [UInt8] = Array("{\n\"title\": \"Caf".utf8) + [0xE9] + Array("\"}".utf8)
        let enc = reader.read(bytes: latin1, relativePath: "release.json")
        XCTAssertEqual(enc.problems.codes(), [.jsonNotUTF8])
        XCTAssertEqual(enc.problems.first?.location, "release.json:2")
        let syntax = reader.read(bytes: Array("{\n  \"a\": 1,\n}".utf8), relativePath: "release.json")
        XCTAssertEqual(syntax.problems.codes(), [.jsonSyntax])
        XCTAssertEqual(syntax.problems.first?.location, "release.json:3:1")
        let array = reader.read(bytes: Array("[]".utf8), relativePath: "release.json")
        XCTAssertEqual(array.problems.codes(), [.jsonType])
        let dup = reader.read(bytes: Array("{\"title\": \"a\", \"title\": \"b\"}".utf8), relativePath: "release.json")
        XCTAssertHasProblem(dup.problems, .jsonDuplicateKey, locationContains: "title")
        let big = reader.read(bytes: Array(repeating: 0x20, count: 100), relativePath: "release.json",
                              settings: IntakeSettings(maxMetadataBytes: 10))
        XCTAssertEqual(big.problems.codes(), [.metadataTooLarge])
    }

    func testUTF8Validation() {
        XCTAssertNil(ReleaseJSONReader.firstInvalidUTF8(Array("héllo 🎵".utf8)))
        XCTAssertEqual(ReleaseJSONReader.firstInvalidUTF8([0x61, 0xC0, 0x80])?.offset, 1)  // overlong
        XCTAssertEqual(ReleaseJSONReader.firstInvalidUTF8([0xED, 0xA0, 0x80])?.offset, 0)  // surrogate
        XCTAssertEqual(ReleaseJSONReader.firstInvalidUTF8([0x61, 0xE2, 0x82])?.offset, 1)  // cut short
        XCTAssertEqual(ReleaseJSONReader.firstInvalidUTF8([0x0A, 0x0A, 0xFF])?.line, 3)
    }
}
