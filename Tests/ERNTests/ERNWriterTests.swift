import DDEXConfig
import DDEXModel
import Harness
@testable import ERN
import TestSupport
import XCTest
import XMLSupport

final class ERNWriterTests: XCTestCase {
    func testTwentyTrackAlbumValidatesInBothVersions() throws {
        let album = try SyntheticRelease.album(trackCount: 20)
        for version in ERNVersion.allCases {
            let message = try ERNFixtures.message(album, ERNFixtures.spotify(version: version))
            let xml = try ERNFixtures.writeValid(message, version)
            for track in album.release.tracks { XCTAssertTrue(xml.contains("<ISRC>\(track.isrc.value)</ISRC>")) }
            XCTAssertTrue(xml.contains("<ICPN>0094631432057</ICPN>"))
            XCTAssertTrue(xml.contains("<GRid>A12425GABC1234002M</GRid>"))
            XCTAssertTrue(xml.contains("Guest &amp; \"Friends\""), "escaped artist name")
            XCTAssertTrue(xml.contains("<MessageCreatedDateTime>2025-03-01T13:00:00+01:00</MessageCreatedDateTime>"))
            XCTAssertTrue(xml.contains("<MessageControlType>LiveMessage</MessageControlType>"))
        }
    }

    func testRootAttributesFollowTheVersion() throws {
        let album = try SyntheticRelease.album(trackCount: 2)
        let xml43 = try ERNFixtures.writeValid(try ERNFixtures.message(album, ERNFixtures.spotify()), .ern43)
        XCTAssertFalse(xml43.contains("MessageSchemaVersionId"), "4.3 has no MessageSchemaVersionId (pitfall 1)")
        XCTAssertTrue(xml43.contains("AvsVersionId=\"3\""))
        XCTAssertTrue(xml43.contains("LanguageAndScriptCode=\"en\""))
        XCTAssertFalse(xml43.contains("UpdateIndicator"))
        XCTAssertEqual(xml43.components(separatedBy: "<TrackRelease>").count - 1, 2)
        XCTAssertEqual(xml43.components(separatedBy: "<Type>FrontCoverImage</Type>").count - 1, 1)
        let xml382 = try ERNFixtures.writeValid(try ERNFixtures.message(album, ERNFixtures.spotify(version: .ern382)), .ern382)
        XCTAssertTrue(xml382.contains("MessageSchemaVersionId=\"ern/382\""))
        XCTAssertEqual(xml382.components(separatedBy: "<ReleaseType>TrackRelease</ReleaseType>").count - 1, 2)
    }

    func testMultiDiscWAVTestMessageValidates() throws {
        var album = try SyntheticRelease.album(
            trackCount: 6,
            audio: AudioDetails(codec: .pcm, container: "WAV", sampleRate: 96000, bitsPerSample: 24, channels: 2,
                                totalSamples: 96000 * 200, duration: ISODuration(milliseconds: 200_000), wavFormatTag: 1))
        for i in album.release.tracks.indices where i >= 3 {
            album.release.tracks[i].disc = 2
            album.release.tracks[i].number = i - 2
        }
        for version in ERNVersion.allCases {
            let message = try ERNFixtures.message(album, ERNFixtures.spotify(version: version, test: true))
            let xml = try ERNFixtures.writeValid(message, version)
            XCTAssertTrue(xml.contains("<ContainerFormat>WAV</ContainerFormat>"))
            XCTAssertTrue(xml.contains("<AudioCodecType>PCM</AudioCodecType>"))
            XCTAssertTrue(xml.contains("<SamplingRate UnitOfMeasure=\"kHz\">96</SamplingRate>"))
            XCTAssertTrue(xml.contains("<BitsPerSample>24</BitsPerSample>"))
            XCTAssertTrue(xml.contains("<MessageControlType>TestMessage</MessageControlType>"))
            if version == .ern43 {
                XCTAssertTrue(xml.contains("<ResourceGroup ResourceGroupType=\"Component\">"))
                XCTAssertTrue(xml.contains("<URI>resources/0094631432057_02_003."), "disc 2, track 3 naming")
            }
        }
    }

    func testHashSumsAndSizesComeFromTheDigest() throws {
        let album = try SyntheticRelease.album(trackCount: 3)
        let first = try XCTUnwrap(album.resources["resources/01.flac"])
        let sha = try ERNFixtures.writeValid(try ERNFixtures.message(album, ERNFixtures.spotify(hashes: [.sha256, .md5])), .ern43)
        XCTAssertTrue(sha.contains("<Algorithm>SHA-256</Algorithm>"))
        XCTAssertTrue(sha.contains("<HashSumValue>\(first.digest.sha256)</HashSumValue>"))
        XCTAssertFalse(sha.contains("<Algorithm>MD5</Algorithm>"))
        XCTAssertTrue(sha.contains("<FileSize>\(first.digest.size)</FileSize>"))
        let md5 = try ERNFixtures.writeValid(try ERNFixtures.message(album, ERNFixtures.spotify(hashes: [.md5])), .ern43)
        XCTAssertTrue(md5.contains("<Algorithm>MD5</Algorithm>"))
        XCTAssertTrue(md5.contains("<HashSumValue>\(first.digest.md5)</HashSumValue>"))
        XCTAssertFalse(md5.contains("SHA-256"))

        // 3.8.2 cannot carry SHA-256: MD5 is written, with a warning; no FileSize (not in 3.8.2).
        let profile = ERNFixtures.spotify(version: .ern382, hashes: [.sha256])
        let (message, problems) = ERNMessageBuilder.message(for: album, context: ERNFixtures.context(profile))
        XCTAssertEqual(problems.map(\.code), [.ernHashAlgorithmSubstituted])
        XCTAssertFalse(problems.hasErrors)
        let xml = try ERNFixtures.writeValid(try XCTUnwrap(message), .ern382)
        XCTAssertTrue(xml.contains("<HashSum>\(first.digest.md5)</HashSum>"))
        XCTAssertTrue(xml.contains("<HashSumAlgorithmType>MD5</HashSumAlgorithmType>"))
        XCTAssertTrue(xml.contains("<FileName>0094631432057_01_001.flac</FileName>"))
        XCTAssertTrue(xml.contains("<FilePath>resources/</FilePath>"))
        XCTAssertFalse(xml.contains("FileSize"))
    }

    func testDealsAreCutToTheDSPTerritoriesAndModels() throws {
        let album = try SyntheticRelease.album(trackCount: 3)
        // Audius-like: GB and FR only. Worldwide streaming → GB, FR; the JP+GB download deal → GB only.
        for version in ERNVersion.allCases {
            let message = try ERNFixtures.message(album, ERNFixtures.audius(version: version))
            guard case .newRelease(let m) = message else { return XCTFail("expected a NewReleaseMessage") }
            let territories = m.releaseDeals.flatMap(\.deals).map { $0.territories.included.map(\.value) }
            XCTAssertEqual(territories, [["FR", "GB"], ["GB"]])
            let xml = try ERNFixtures.writeValid(message, version)
            XCTAssertFalse(xml.contains("<TerritoryCode>JP</TerritoryCode>"))
            XCTAssertTrue(xml.contains("<TerritoryCode>FR</TerritoryCode>"))
            XCTAssertTrue(xml.contains("<TerritoryCode>GB</TerritoryCode>"))
            XCTAssertTrue(xml.contains("PermanentDownload"))
            XCTAssertTrue(xml.contains("<EndDate>2030-12-31</EndDate>"))
        }
        // Spotify-like: streaming models only, so the pay-as-you-go download deal is gone.
        let spotify = try ERNFixtures.writeValid(try ERNFixtures.message(album, ERNFixtures.spotify()), .ern43)
        XCTAssertFalse(spotify.contains("PayAsYouGoModel"))
        XCTAssertFalse(spotify.contains("PermanentDownload"))
        XCTAssertFalse(spotify.contains("<TerritoryCode>JP</TerritoryCode>"))
        XCTAssertEqual(spotify.components(separatedBy: "<Deal>").count - 1, 1)
    }

    func testWorldwideMinusExclusionsBecomesExcludedTerritories() throws {
        let deal = Deal(territories: TerritorySet(included: [.worldwide], excluded: [ERNFixtures.territory("US")]),
                        commercialModels: ["SubscriptionModel"], useTypes: ["OnDemandStream"],
                        start: try PartialDate(validating: "2025-01-01"))
        let album = try SyntheticRelease.album(trackCount: 2, deals: [deal])
        for version in ERNVersion.allCases {
            let xml = try ERNFixtures.writeValid(try ERNFixtures.message(album, ERNFixtures.spotify(version: version)), version)
            XCTAssertTrue(xml.contains("<ExcludedTerritoryCode>US</ExcludedTerritoryCode>"))
        }
    }

    func testTrackDealsReferToTheirTrackReleases() throws {
        let isrc = try ISRC(validating: "JPTO09404902")
        let start = try PartialDate(validating: "2025-01-01")
        let deals = [
            Deal(territories: TerritorySet(included: [.worldwide]), commercialModels: ["SubscriptionModel"],
                 useTypes: ["OnDemandStream"], start: start),
            Deal(territories: TerritorySet(included: [.worldwide]), commercialModels: ["AdvertisementSupportedModel"],
                 useTypes: ["OnDemandStream"], start: start, trackISRCs: [isrc]),
        ]
        let album = try SyntheticRelease.album(trackCount: 3, deals: deals)
        let message = try ERNFixtures.message(album, ERNFixtures.spotify())
        guard case .newRelease(let m) = message else { return XCTFail("expected a NewReleaseMessage") }
        XCTAssertEqual(m.releaseDeals.map(\.releaseReferences), [["R0", "R1", "R2", "R3"], ["R2"]])
        try ERNFixtures.writeValid(message, .ern43)
    }

    func testRemoveDealsTakedownHasNoDealList() throws {
        let album = try SyntheticRelease.album(trackCount: 3, takedown: true)
        for version in ERNVersion.allCases {
            let message = try ERNFixtures.message(album, ERNFixtures.spotify(version: version))
            guard case .newRelease(let m) = message else { return XCTFail("remove-deals writes a NewReleaseMessage") }
            XCTAssertTrue(m.isTakedown)
            XCTAssertEqual(ERNSemanticChecker.check(m), [])
            let xml = try ERNFixtures.writeValid(message, version)
            XCTAssertFalse(xml.contains("DealList"))
            XCTAssertTrue(xml.contains("<ern:NewReleaseMessage"))
        }
    }

    func testPurgeReleaseTakedownValidates() throws {
        let album = try SyntheticRelease.album(trackCount: 3, takedown: true)
        for version in ERNVersion.allCases {
            let message = try ERNFixtures.message(album, ERNFixtures.audius(version: version))
            guard case .purgeRelease = message else { return XCTFail("purge-release writes a PurgeReleaseMessage") }
            let xml = try ERNFixtures.writeValid(message, version)
            XCTAssertTrue(xml.contains("<ern:PurgeReleaseMessage"))
            XCTAssertTrue(xml.contains("<ICPN>0094631432057</ICPN>"))
            XCTAssertTrue(xml.contains("<TitleText>Yume no Hajimari</TitleText>"))
        }
    }

    func testUnmeasuredResourceIsAnError() throws {
        var album = try SyntheticRelease.album(trackCount: 3)
        album.resources["resources/02.flac"] = nil
        let (message, problems) = ERNMessageBuilder.message(for: album, context: ERNFixtures.context(ERNFixtures.spotify()))
        XCTAssertNil(message)
        XCTAssertEqual(problems.map(\.code), [.ernResourceUnmeasured])
        XCTAssertTrue(problems[0].location.contains("tracks[1]"))
    }

    func testForbiddenCharacterFailsTheWrite() throws {
        var album = try SyntheticRelease.album(trackCount: 2)
        album.release.title = "Bad\u{0B}Title"
        let message = try ERNFixtures.message(album, ERNFixtures.spotify())
        XCTAssertThrowsError(try ERNWriter(version: .ern43).bytes(of: message)) {
            XCTAssertEqual(($0 as? XMLWriteError)?.kind, .invalidCharacter)
        }
    }

    func testWritesToFile() throws {
        let dir = try TemporaryDirectory(prefix: "ern-file")
        let album = try SyntheticRelease.album(trackCount: 20)
        let message = try ERNFixtures.message(album, ERNFixtures.spotify())
        let path = dir.path + "/m.xml"
        let size = try ERNWriter(version: .ern43).write(message, toFileAt: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(size, data.count)
        XCTAssertEqual([UInt8](data), try ERNWriter(version: .ern43).bytes(of: message))
        XCTAssertEqual(try ERNFixtures.schemas.schema(for: .ern43).validate(fileAt: path), [])
    }
}
