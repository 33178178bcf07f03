import DDEXConfig
import DDEXModel
import Harness
@testable import ERN
import XCTest

final class ManifestAndMessageTests: XCTestCase {
    func testManifestValidatesAgainstTheChoreographySchema() throws {
        let manifest = ERNManifest(
            sender: ERNMessagingParty(dpid: "PADPIDA20990000010", name: "Example Distribution"),
            recipient: ERNMessagingParty(dpid: "PADPIDA2099000002Y", name: "Spotify & Co"),
            createdAt: ERNFixtures.createdAt, isTest: true, rootDirectory: "20250301120000123",
            entries: [
                .init(messageId: "M1", url: "0094631432057/0094631432057.xml",
                      releaseId: ERNReleaseId(grid: try GRid(validating: SyntheticRelease.grid),
                                              icpn: try ICPN(validating: SyntheticRelease.icpn), catalogNumber: "EX-1",
                                              proprietaryIds: [ProprietaryId(namespace: "PADPIDA20990000010", value: "X1")]),
                      deliveryType: "NewReleaseDelivery",
                      hashSum: HashSum(algorithm: .md5, hex: "0123456789abcdef0123456789abcdef")),
                .init(messageId: "M2", url: "5012345678900/5012345678900.xml",
                      releaseId: ERNReleaseId(icpn: try ICPN(validating: "5012345678900")), deliveryType: "TakeDown",
                      hashSum: HashSum(algorithm: .sha256, hex: String(repeating: "ab", count: 32))),
            ])
        let bytes = try ManifestWriter().bytes(of: manifest)
        try ERNFixtures.assertValid(bytes, schema: ERNFixtures.xsdChoreography)
        let xml = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(xml.contains("<NumberOfMessages>2</NumberOfMessages>"))
        XCTAssertTrue(xml.contains("<IsTestFlag>true</IsTestFlag>"))
        XCTAssertTrue(xml.contains("Spotify &amp; Co"))
    }

    func testTimestamps() {
        let t = MessageTimestamp(millisecondsSinceEpoch: 1_740_830_400_123, utcOffsetSeconds: 0)
        XCTAssertEqual(t.iso8601, "2025-03-01T12:00:00Z")
        XCTAssertEqual(t.compactUTC, "20250301120000123")
        XCTAssertEqual(t.utcDate, "2025-03-01")
        let minus = MessageTimestamp(millisecondsSinceEpoch: 1_740_830_400_123, utcOffsetSeconds: -(5 * 3600 + 30 * 60))
        XCTAssertEqual(minus.iso8601, "2025-03-01T06:30:00-05:30")
        XCTAssertEqual(minus.compactUTC, "20250301120000123", "batch ids are UTC whatever the offset")
        let leap = MessageTimestamp(millisecondsSinceEpoch: 951_782_400_000 + 86_399_999) // 2000-02-29T23:59:59.999Z
        XCTAssertEqual(leap.compactUTC, "20000229235959999")
        let early = MessageTimestamp(millisecondsSinceEpoch: -1000)
        XCTAssertEqual(early.iso8601, "1969-12-31T23:59:59Z")
        let now = MessageTimestamp.now()
        XCTAssertTrue(now.iso8601.hasPrefix("20"))
    }

    func testMessageIdsAreUnique() throws {
        let provider = TimeRandomMessageIdProvider()
        let t = ERNFixtures.createdAt
        var seen = Set<String>()
        for _ in 0..<10_000 { seen.insert(try provider.nextMessageId(sender: ERNFixtures.sender.dpid, at: t)) }
        XCTAssertEqual(seen.count, 10_000)
        XCTAssertTrue(seen.allSatisfy { $0.hasPrefix("20250301120000123-") && $0.count == 34 })
    }

    func testResourceNaming() throws {
        let release = try SyntheticRelease.album(trackCount: 2).release
        XCTAssertEqual(ResourceNaming.ddex.fileNames(for: release), [
            "resources/cover.jpg": "0094631432057.jpg",
            "resources/01.flac": "0094631432057_01_001.flac", "resources/02.flac": "0094631432057_01_002.flac",
        ])
        XCTAssertEqual(ResourceNaming.isrc.fileNames(for: release), [
            "resources/cover.jpg": "0094631432057_cover.jpg",
            "resources/01.flac": "JPTO09404901.flac", "resources/02.flac": "JPTO09404902.flac",
        ])
        XCTAssertEqual(ResourceNaming.original.fileNames(for: release), [
            "resources/cover.jpg": "cover.jpg", "resources/01.flac": "01.flac", "resources/02.flac": "02.flac",
        ])
    }

    func testDealFilter() throws {
        let start = try PartialDate(validating: "2025-01-01")
        let jp = ERNFixtures.territory("JP")
        let deals = [
            Deal(territories: TerritorySet(included: [jp]), commercialModels: ["SubscriptionModel"],
                 useTypes: ["OnDemandStream"], start: start),
            Deal(territories: TerritorySet(included: [.worldwide]), commercialModels: ["PayAsYouGoModel"],
                 useTypes: ["PermanentDownload"], start: start),
        ]
        XCTAssertEqual(DealFilter.deals(deals, for: ERNFixtures.audius()).map(\.commercialModels), [["PayAsYouGoModel"]])
        XCTAssertEqual(DealFilter.deals(deals, for: ERNFixtures.spotify()).map(\.territories), [TerritorySet(included: [jp])])
    }
}
