import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Intake
import TestSupport
import XCTest
import XMLSupport

final class MasterERNReaderTests: XCTestCase {
    private let reader = MasterERNReader(schemas: IntakeFixtures.schemas)
    private static let ern382Schema = Result { try XSDSchema(path: RepositoryPaths.xsd.appendingPathComponent("ern382/release-notification.xsd").path) }

    private func sample(_ name: String) -> URL {
        RepositoryPaths.samples.appendingPathComponent("ern43/\(name)")
    }

    private func read(_ url: URL, as name: String = "master.xml", settings: IntakeSettings = IntakeSettings()) -> MetadataReadResult {
        reader.read(fileAt: url, relativePath: name, settings: settings)
    }

    private func read(text: String, as name: String = "master.xml") throws -> MetadataReadResult {
        let dir = try TemporaryDirectory()
        return read(try dir.write(text, to: name), as: name)
    }

    /// Values of `<element>` in document order, found with a regular expression (independent of the reader).
    private func values(of element: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "<\(element)(?:\\s[^>]*)?>\\s*([^<]*?)\\s*</\(element)>")
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }

    /// The text of the main release's own `ReleaseId` (not a RelatedRelease's).
    private func mainReleaseId(in text: String) -> String {
        let start = text.range(of: "<Release>")!.upperBound
        let idStart = text.range(of: "<ReleaseId>", range: start..<text.endIndex)!.upperBound
        let idEnd = text.range(of: "</ReleaseId>", range: idStart..<text.endIndex)!.lowerBound
        return String(text[idStart..<idEnd])
    }

    private func assertNoErrors(_ result: MetadataReadResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.problems.errors, [], file: file, line: line)
    }

    // MARK: Official ERN 4.3 samples

    func testAudioAlbumSample() throws {
        let url = sample("1-Audio.xml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let result = read(url, as: "1-Audio.xml")
        assertNoErrors(result)
        XCTAssertEqual(result.problems, [])
        let release = try XCTUnwrap(result.release)

        XCTAssertEqual(release.tracks.map(\.isrc.value), values(of: "ISRC", in: text))
        XCTAssertEqual(release.tracks.count, 21)
        XCTAssertEqual(release.icpn?.value, values(of: "ICPN", in: mainReleaseId(in: text)).first)
        XCTAssertEqual(release.icpn?.value, "00094631432057", "leading zeros kept")
        XCTAssertEqual(release.title, "Yume no Hajmari")
        XCTAssertEqual(release.displayArtist, "Saeko Shu")
        XCTAssertEqual(release.artists, [Artist(name: "Saeko Shu", role: "MainArtist")])
        XCTAssertEqual(release.label, "EMI MUSIC JAPAN INC.")
        XCTAssertEqual(release.genre, "J-Pop")
        XCTAssertEqual(release.releaseType, "Album")
        XCTAssertEqual(release.parentalWarning, "NoAdviceAvailable")
        XCTAssertEqual(release.language?.value, "en")
        XCTAssertEqual(release.tracks.map(\.disc), Array(repeating: 1, count: 21))
        XCTAssertEqual(release.tracks.map(\.number), Array(1...21))
        XCTAssertEqual(release.tracks.map(\.file.path), values(of: "URI", in: text).filter { $0.hasSuffix(".wav") })

        let first = release.tracks[0]
        XCTAssertEqual(first.title, "Yume no Lullaby")
        XCTAssertEqual(first.file.path, "0094631432057_01_001.wav")
        XCTAssertNil(first.file.declaredHash)
        XCTAssertEqual(first.declaredDuration?.milliseconds, 148_000)
        XCTAssertEqual(first.contributors, [Contributor(name: "Saeko Shu", role: "Artist")])
        XCTAssertEqual(first.genre, "J-Pop")
        XCTAssertEqual(first.language?.value, "ja")
        XCTAssertEqual(first.pLine, RightsLine(year: 1994, text: "(P) 1994 EMI Music Japan Inc."))
        XCTAssertEqual(release.cover?.file.path, "0094631432057.jpg")

        // Two deals for the 21 track releases, one for the album.
        XCTAssertEqual(release.deals.count, 3)
        let trackDeals = release.deals.filter { !$0.trackISRCs.isEmpty }
        XCTAssertEqual(trackDeals.count, 2)
        XCTAssertEqual(trackDeals[0].trackISRCs, release.tracks.map(\.isrc))
        XCTAssertEqual(trackDeals[0].commercialModels, ["SubscriptionModel", "AdvertisementSupportedModel"])
        XCTAssertEqual(trackDeals[0].useTypes, ["ConditionalDownload", "Stream"])
        let albumDeal = try XCTUnwrap(release.deals.first { $0.trackISRCs.isEmpty })
        XCTAssertEqual(albumDeal.territories, TerritorySet(included: [try Territory(validating: "JP")]))
        XCTAssertEqual(albumDeal.start, try PartialDate(validating: "2004-04-01"))
        XCTAssertNil(albumDeal.end)
        XCTAssertEqual(albumDeal.useTypes, ["PermanentDownload", "ConditionalDownload"])
    }

    func testSimpleAudioSingleSample() throws {
        let url = sample("4-SimpleAudioSingle.xml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let result = read(url, as: "4-SimpleAudioSingle.xml")
        assertNoErrors(result)
        let release = try XCTUnwrap(result.release)

        XCTAssertEqual(release.tracks.map(\.isrc.value), values(of: "ISRC", in: text))
        // The only ICPN in the file belongs to a RelatedRelease; the single itself has a GRid.
        let ownId = mainReleaseId(in: text)
        XCTAssertEqual(values(of: "ICPN", in: ownId), [])
        XCTAssertNil(release.icpn)
        XCTAssertEqual(release.grid?.value, values(of: "GRid", in: ownId).first)
        XCTAssertEqual(release.proprietaryIds, [ProprietaryId(namespace: "PADPIDA2007050901U", value: "GBAYC1700598")])
        XCTAssertEqual(release.primaryId, "A10302B0003989564F")
        XCTAssertEqual(release.releaseType, "SingleResourceRelease")
        XCTAssertEqual(release.label, "Warner Classics", "the IsDefault label")
        XCTAssertEqual(release.genre, "Classical")
        XCTAssertEqual(release.subGenre, "Classical Crossover")
        XCTAssertEqual(release.cLine, RightsLine(year: 2017, text: "2017 Parlophone Records Limited, a Warner Music Group Company"))

        let track = try XCTUnwrap(release.tracks.first)
        XCTAssertEqual(track.title, "I Love You")
        XCTAssertEqual(track.file, ResourceFile(path: "resources/190295810726_00001_LL.flac",
                                                declaredHash: HashSum(algorithm: .md5, hex: "db7dd2f3bb9b322646e3f4d7b65b47ab")))
        XCTAssertEqual(track.declaredDuration?.milliseconds, 263_583)
        XCTAssertEqual(track.disc, 1)
        XCTAssertEqual(track.number, 1)

        // The cover image has no file in this sample: reported, not invented.
        XCTAssertNil(release.cover)
        XCTAssertEqual(result.problems.map(\.code), [.masterERNMissing])
        XCTAssertTrue(result.problems[0].location.hasPrefix("4-SimpleAudioSingle.xml:"), result.problems[0].location)
        XCTAssertTrue(result.problems[0].location.hasSuffix("ResourceList/Image"), result.problems[0].location)

        // One deal per Deal element, each for one territory.
        XCTAssertEqual(release.deals.count, text.components(separatedBy: "<Deal>").count - 1)
        XCTAssertEqual(release.deals.count, 747)
        XCTAssertEqual(Set(release.deals.flatMap(\.territories.included).map(\.value)), Set(values(of: "TerritoryCode", in: text)))
    }

    func testClassicalVariantSample() throws {
        let url = sample("Variant-Classical.xml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let result = read(url, as: "Variant-Classical.xml")
        XCTAssertEqual(result.problems, [])
        let release = try XCTUnwrap(result.release)

        XCTAssertEqual(release.tracks.map(\.isrc.value), values(of: "ISRC", in: text))
        XCTAssertEqual(values(of: "ICPN", in: text), [])
        XCTAssertNil(release.icpn)
        XCTAssertEqual(release.grid?.value, "A10302B0003989564F")
        XCTAssertEqual(release.title, "Antonio Vivaldi: The Four Seasons")
        XCTAssertEqual(release.subtitle, "Concertos for Violins and Strings")
        XCTAssertEqual(release.displayArtist, "The English Concert, Simon Standage, Trevor Pinnock")
        XCTAssertEqual(release.artists.map(\.name), ["The English Concert", "Simon Standage", "Trevor Pinnock"])
        XCTAssertEqual(release.label, "Deutsche Grammophon")
        // Four works of three movements each on one disc: tracks 1-12, not four discs.
        XCTAssertEqual(release.tracks.map(\.disc), Array(repeating: 1, count: 12))
        XCTAssertEqual(release.tracks.map(\.number), Array(1...12))
        XCTAssertEqual(release.tracks.map(\.file.path), values(of: "URI", in: text).filter { $0.hasSuffix(".flac") })
        XCTAssertTrue(release.tracks.allSatisfy { $0.file.declaredHash?.algorithm == .md5 })
        XCTAssertEqual(release.tracks[0].contributors.first, Contributor(name: "Antonio Vivaldi", role: "Composer"))
        XCTAssertEqual(release.tracks[0].contributors.last, Contributor(name: "Simon Standage", role: "Soloist"))
        XCTAssertEqual(release.cover?.file.path, "0.jpg")
        XCTAssertEqual(release.deals.count, 1)
    }

    // MARK: ERN 3.8.2

    func testERN382Fixture() throws {
        let url = RepositoryPaths.fixtures.appendingPathComponent("ern/master-382.xml")
        XCTAssertEqual(try Self.ern382Schema.get().validate(fileAt: url.path), [], "the fixture must be valid ERN 3.8.2")
        let result = read(url)
        XCTAssertEqual(result.problems, [])
        let release = try XCTUnwrap(result.release)

        XCTAssertEqual(release.icpn?.value, "5012345678900")
        XCTAssertEqual(release.catalogNumber, "EXR-001")
        XCTAssertEqual(release.title, "Example Album")
        XCTAssertEqual(release.subtitle, "Deluxe Edition")
        XCTAssertEqual(release.displayArtist, "Example Artist")
        XCTAssertEqual(release.label, "Example Records")
        XCTAssertEqual(release.genre, "Pop")
        XCTAssertEqual(release.subGenre, "Synth-pop")
        XCTAssertEqual(release.releaseType, "Album")
        XCTAssertEqual(release.parentalWarning, "Explicit")
        XCTAssertEqual(release.releaseDate, try PartialDate(validating: "2025-04-04"))
        XCTAssertEqual(release.originalReleaseDate, try PartialDate(validating: "2024"))
        XCTAssertEqual(release.pLine, RightsLine(year: 2025, text: "(P) 2025 Example Records"))
        XCTAssertEqual(release.cLine, RightsLine(year: 2025, text: "(C) 2025 Example Records"))
        XCTAssertEqual(release.cover?.file.path, "resources/5012345678900.jpg")
        XCTAssertFalse(release.takedown)

        XCTAssertEqual(release.tracks.map(\.isrc.value), ["GBXYZ2500001", "GBXYZ2500002"])
        XCTAssertEqual(release.tracks.map(\.number), [1, 2])
        let first = release.tracks[0]
        XCTAssertEqual(first.file, ResourceFile(path: "resources/5012345678900_01_001.flac",
                                                declaredHash: HashSum(algorithm: .md5, hex: "0123456789abcdef0123456789abcdef")))
        XCTAssertEqual(first.iswc?.value, "T0345246801")
        XCTAssertEqual(first.artists, [Artist(name: "Example Artist", role: "MainArtist", isni: try ISNI(validating: "0000000121032683"))])
        XCTAssertEqual(first.contributors, [Contributor(name: "Example Orchestra", role: "Orchestra"),
                                            Contributor(name: "Jane Writer", role: "Composer")])
        XCTAssertEqual(first.declaredDuration?.milliseconds, 205_000)
        XCTAssertEqual(first.language?.value, "en")
        XCTAssertEqual(first.parentalWarning, "NotExplicit")
        let second = release.tracks[1]
        XCTAssertEqual(second.title, "Second Song")
        XCTAssertEqual(second.subtitle, "Live")
        XCTAssertEqual(second.displayArtist, "Example Artist feat. Guest Singer")
        XCTAssertEqual(second.artists.map(\.role), ["MainArtist", "FeaturedArtist"])
        XCTAssertEqual(second.file.path, "resources/5012345678900_01_002.flac")
        XCTAssertEqual(second.file.declaredHash?.hex, "fedcba9876543210fedcba9876543210")
        XCTAssertEqual(second.declaredDuration?.milliseconds, 242_500)

        XCTAssertEqual(release.deals.count, 3)
        let streaming = release.deals[0]
        XCTAssertEqual(streaming.territories, TerritorySet(included: [.worldwide],
                                                           excluded: [try Territory(validating: "CU"), try Territory(validating: "KP")]))
        XCTAssertEqual(streaming.commercialModels, ["SubscriptionModel", "AdvertisementSupportedModel"])
        XCTAssertEqual(streaming.useTypes, ["OnDemandStream", "NonInteractiveStream"])
        XCTAssertEqual(streaming.trackISRCs, [])
        XCTAssertEqual(release.deals[1].end, try PartialDate(validating: "2026-04-03"))
        XCTAssertEqual(release.deals[1].territories.included.map(\.value), ["GB", "IE"])
        XCTAssertEqual(release.deals[2].trackISRCs.map(\.value), ["GBXYZ2500002"])
        XCTAssertEqual(release.deals[2].start, try PartialDate(validating: "2025-03-28"))
    }

    func testERN382TakeDown() throws {
        var text = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("ern/master-382.xml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "<Usage>\n            <UseType>OnDemandStream</UseType>\n            <UseType>NonInteractiveStream</UseType>\n          </Usage>",
                                         with: "<TakeDown>true</TakeDown>")
        let result = try read(text: text)
        XCTAssertEqual(result.problems.errors, [])
        XCTAssertEqual(result.release?.takedown, true)
        XCTAssertEqual(result.release?.deals.count, 2)
    }

    // MARK: Problems

    func testEveryProblemIsCollectedAndLocated() throws {
        var text = try String(contentsOf: sample("1-Audio.xml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "<ISRC>JPTO09404900</ISRC>", with: "<ISRC>JP-TO0-94-04900</ISRC>")
        text = text.replacingOccurrences(of: "<ISRC>JPTO09404910</ISRC>", with: "<ISRC>JPTO0940491</ISRC>")
        text = text.replacingOccurrences(of: "<ICPN>00094631432057</ICPN>", with: "<ICPN>00094631432058</ICPN>")
        text = text.replacingOccurrences(of: "<URI>0094631432057_01_003.wav</URI>", with: "<URI>../0094631432057_01_003.wav</URI>")
        text = text.replacingOccurrences(of: "<URI>0094631432057_01_004.wav</URI>", with: "<URI>/srv/0094631432057_01_004.wav</URI>")
        text = text.replacingOccurrences(of: "<ReleaseLabelReference ApplicableTerritoryCode=\"Worldwide\">PEMI</ReleaseLabelReference>\n         <Duration>",
                                         with: "<ReleaseLabelReference ApplicableTerritoryCode=\"Worldwide\">PNOBODY</ReleaseLabelReference>\n         <Duration>")
        let result = try read(text: text)
        let byCode = Dictionary(grouping: result.problems.errors, by: \.code)
        XCTAssertEqual(byCode[.isrcInvalid]?.count, 2, "\(result.problems)")
        XCTAssertEqual(byCode[.icpnInvalid]?.count, 1)
        XCTAssertEqual(byCode[.masterERNPathInvalid]?.count, 2)
        XCTAssertEqual(byCode[.masterERNReferenceUnknown]?.count, 1)
        XCTAssertEqual(result.problems.errors.count, 6, "\(result.problems)")

        let lines = text.components(separatedBy: "\n")
        func line(of needle: String) -> Int { (lines.firstIndex { $0.contains(needle) } ?? -2) + 1 }
        XCTAssertEqual(byCode[.icpnInvalid]?.first?.location,
                       "master.xml:\(line(of: "<ICPN>00094631432058")): NewReleaseMessage/ReleaseList/Release/ReleaseId/ICPN")
        XCTAssertEqual(byCode[.isrcInvalid]?.first?.location,
                       "master.xml:\(line(of: "JP-TO0")): NewReleaseMessage/ResourceList/SoundRecording[1]/SoundRecordingEdition/ResourceId/ISRC")
        XCTAssertTrue(byCode[.masterERNPathInvalid]?.first?.message.contains("'..'") ?? false)
        XCTAssertEqual(byCode[.masterERNReferenceUnknown]?.first?.location,
                       "master.xml:\(line(of: "PNOBODY")): NewReleaseMessage/ReleaseList/Release/ReleaseLabelReference")
        // The release is still read so every problem can be reported; bad tracks are left out.
        XCTAssertEqual(result.release?.tracks.count, 17)
    }

    func testDoctypeAndEntitiesAreRefused() throws {
        let text = try String(contentsOf: sample("4-SimpleAudioSingle.xml"), encoding: .utf8)
        let hostile = text.replacingOccurrences(
            of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            with: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE x [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n")
            .replacingOccurrences(of: "<FullName>RIOPY</FullName>", with: "<FullName>&xxe;</FullName>")
        let result = try read(text: hostile)
        XCTAssertNil(result.release)
        XCTAssertEqual(result.problems.map(\.code.rawValue), ["XML_DOCTYPE_FORBIDDEN"])
        XCTAssertEqual(result.problems.first?.location, "master.xml:2")

        let entity = text.replacingOccurrences(of: "<FullName>RIOPY</FullName>", with: "<FullName>&xxe;</FullName>")
        XCTAssertEqual(try read(text: entity).problems.map(\.code.rawValue), ["XML_ENTITY_FORBIDDEN"])
    }

    func testMalformedMasterERNIsLocated() throws {
        let text = try String(contentsOf: sample("4-SimpleAudioSingle.xml"), encoding: .utf8)
        let broken = text.replacingOccurrences(of: "</MessageHeader>", with: "</MessageHeadr>")
        let result = try read(text: broken)
        XCTAssertNil(result.release)
        XCTAssertEqual(result.problems.map(\.code.rawValue), ["XML_MALFORMED"])
        XCTAssertEqual(result.problems.first?.location, "master.xml:23")
    }

    func testTooLargeMasterERNIsRefused() throws {
        let result = read(sample("1-Audio.xml"), settings: IntakeSettings(maxMetadataBytes: 10_000))
        XCTAssertEqual(result.problems.map(\.code.rawValue), ["XML_TOO_LARGE"])
    }

    func testUnsupportedVersionsAndMessages() throws {
        let e432 = try read(text: "<ern:NewReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/432\"/>")
        XCTAssertNil(e432.release)
        XCTAssertEqual(e432.problems.map(\.code), [.masterERNUnsupported])
        XCTAssertTrue(e432.problems[0].message.contains("http://ddex.net/xml/ern/432"))
        let purge = try read(text: "<ern:PurgeReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/43\"/>")
        XCTAssertEqual(purge.problems.map(\.code), [.masterERNUnsupported])
        let empty43 = try read(text: "<ern:NewReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/43\"/>")
        XCTAssertNil(empty43.release)
        XCTAssertEqual(Set(empty43.problems.map(\.code)), [.xsdInvalid], "the schema refuses it before the reader looks inside")
    }

    // MARK: Schema

    /// A master ERN is checked against the XSD of its namespace before anything in it is read: a value the
    /// schema refuses stops the file, located at its line and element.
    func testSchemaIsCheckedBeforeTheMessageIsRead() throws {
        let text = try String(contentsOf: sample("1-Audio.xml"), encoding: .utf8)
        let broken = text.replacingOccurrences(of: "<Duration>PT1M22S</Duration>", with: "<Duration>1:22</Duration>")
        let result = try read(text: broken)
        XCTAssertNil(result.release)
        XCTAssertEqual(result.problems.map(\.code), [.xsdInvalid], "\(result.problems)")
        let line = (broken.components(separatedBy: "\n").firstIndex { $0.contains("<Duration>1:22") } ?? -2) + 1
        XCTAssertEqual(result.problems.first?.location, "master.xml:\(line): Duration")
        XCTAssertTrue(result.problems.first?.message.contains("ERN 4.3 schema") ?? false, "\(result.problems)")
    }

    /// `xi:include` is never processed: the schema refuses the element, so what it points at is never read.
    func testXIncludeIsRefusedNotFollowed() throws {
        let text = try String(contentsOf: sample("4-SimpleAudioSingle.xml"), encoding: .utf8)
        let hostile = text.replacingOccurrences(
            of: "<MessageHeader>",
            with: "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"/etc/passwd\" parse=\"text\"/>\n<MessageHeader>")
        let result = try read(text: hostile)
        XCTAssertNil(result.release)
        XCTAssertEqual(result.problems.map(\.code), [.xsdInvalid], "\(result.problems)")
        XCTAssertTrue(result.problems[0].location.hasSuffix(": include"), result.problems[0].location)
        XCTAssertFalse(result.problems.map(\.message).joined().contains("root:"), "nothing of /etc/passwd appears")
    }

    func testUTF16UnderAUTF8DeclarationIsRefused() throws {
        let text = try String(contentsOf: sample("4-SimpleAudioSingle.xml"), encoding: .utf8)
        let bytes: [UInt8] = [0xFF, 0xFE] + Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let result = reader.read(bytes: bytes, name: "master.xml")
        XCTAssertNil(result.release)
        XCTAssertEqual(result.problems.map(\.code.rawValue), ["XML_ENCODING"])
    }

    func testMissingSchemaIsAnErrorNotASkip() throws {
        let dir = try TemporaryDirectory()
        let unchecked = MasterERNReader(schemas: ERNSchemaSet(settings: SchemaSettings(folder: dir.path)))
        let result = unchecked.read(fileAt: sample("4-SimpleAudioSingle.xml"), relativePath: "master.xml", settings: IntakeSettings())
        XCTAssertNil(result.release)
        XCTAssertEqual(result.problems.map(\.code.rawValue), ["XSD_LOAD_FAILED"])
    }

    func testCanRead() {
        XCTAssertTrue(reader.canRead(fileName: "master.xml"))
        XCTAssertTrue(reader.canRead(fileName: "5012345678900.XML"))
        XCTAssertFalse(reader.canRead(fileName: "resources/master.xml"))
        XCTAssertFalse(reader.canRead(fileName: "release.json"))
        XCTAssertFalse(reader.canRead(fileName: "._master.xml"))
    }
}
