import DDEXConfig
import DDEXModel
import Harness
@testable import ERN
import XCTest

final class ERNSemanticCheckerTests: XCTestCase {
    private func album() throws -> ERNNewReleaseMessage {
        let message = try ERNFixtures.message(try SyntheticRelease.album(trackCount: 4), ERNFixtures.spotify())
        guard case .newRelease(let m) = message else { throw NotANewRelease() }
        return m
    }

    private struct NotANewRelease: Error {}

    private func codes(_ m: ERNNewReleaseMessage) -> [ProblemCode] { ERNSemanticChecker.check(m).map(\.code) }

    func testBuiltMessageIsClean() throws {
        XCTAssertEqual(ERNSemanticChecker.check(try album()), [])
    }

    func testDanglingReferences() throws {
        var m = try album()
        m.release.discs[0].resourceReferences.append("A99")
        m.trackReleases[0].labelReference = "P42"
        m.releaseDeals[0].releaseReferences.append("R77")
        m.soundRecordings[1].displayArtists[0].partyReference = "P9"
        let problems = ERNSemanticChecker.check(m)
        XCTAssertEqual(problems.filter { $0.code == .ernReferenceUnresolved }.count, 4, "\(problems)")
        XCTAssertTrue(problems.contains { $0.message.contains("A99") && $0.location.contains("ResourceGroup") })
        XCTAssertTrue(problems.contains { $0.message.contains("R77") && $0.location.contains("DealReleaseReference") })
    }

    func testDuplicateAndMalformedReferences() throws {
        var m = try album()
        m.soundRecordings[1].reference = "A1"
        m.images[0].file.technicalReference = "T 5"
        let c = codes(m)
        XCTAssertTrue(c.contains(.ernReferenceDuplicate))
        XCTAssertTrue(c.contains(.ernReferenceMalformed))
    }

    func testDuplicateISRC() throws {
        var m = try album()
        m.soundRecordings[2].isrc = m.soundRecordings[0].isrc
        let problems = ERNSemanticChecker.check(m)
        XCTAssertEqual(problems.map(\.code), [.ernISRCDuplicate])
        XCTAssertTrue(problems[0].location.contains("SoundRecording[3]"))
    }

    func testExactlyOneFrontCover() throws {
        var none = try album()
        none.images[0].type = "BackCoverImage"
        XCTAssertEqual(codes(none), [.ernFrontCoverCount])
        var two = try album()
        var second = two.images[0]
        second.reference = "A50"
        second.file.technicalReference = "T50"
        two.images.append(second)
        XCTAssertEqual(codes(two), [.ernFrontCoverCount])
    }

    func testTrackReleasesPointAtSoundRecordings() throws {
        var m = try album()
        m.trackReleases[0].resourceReference = m.images[0].reference
        let c = codes(m)
        // R1 points at the cover, and A1 is left without a TrackRelease.
        XCTAssertEqual(c, [.ernTrackReleaseResource, .ernTrackReleaseResource])
        var missing = try album()
        missing.trackReleases.removeLast()
        // A4 has no TrackRelease, and the deal still names the removed R4.
        XCTAssertEqual(codes(missing), [.ernTrackReleaseResource, .ernReferenceUnresolved])
    }

    func testDealsNeedStartAndContent() throws {
        var m = try album()
        m.releaseDeals[0].deals[0].start = nil
        XCTAssertEqual(codes(m), [.ernDealPeriod])
        var backwards = try album()
        backwards.releaseDeals[0].deals[0].end = try PartialDate(validating: "2000-01-01")
        XCTAssertEqual(codes(backwards), [.ernDealPeriod])
        var empty = try album()
        empty.releaseDeals[0].deals[0].useTypes = []
        empty.releaseDeals[0].deals[0].commercialModels = []
        XCTAssertEqual(codes(empty), [.ernDealIncomplete, .ernDealIncomplete])
    }

    func testReleaseIdAndArtistSequence() throws {
        var m = try album()
        m.release.releaseId = ERNReleaseId()
        m.release.displayArtists[0].sequence = 2
        XCTAssertEqual(codes(m), [.ernReleaseIdMissing, .ernDisplayArtistSequence])
    }
}
