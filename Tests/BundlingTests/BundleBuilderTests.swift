@testable import Bundling
import DDEXConfig
import DDEXModel
import ERN
import Foundation
import TestSupport
import XCTest

final class BundleBuilderTests: XCTestCase {
    private let clock = MessageTimestamp(millisecondsSinceEpoch: 1_740_830_400_123, utcOffsetSeconds: 3600)

    private func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func testBatchLayoutChecksumsAndDescription() throws {
        let package = try TestPackage(trackCount: 3)
        let result = package.builder(clock: clock).build(package.validated, for: Profiles.spotify(), outboundRoot: package.outbound)
        let bundle = try XCTUnwrap(result.bundle, "\(result.problems)")
        XCTAssertEqual(bundle.batchId, "20250301120000123")
        XCTAssertEqual(bundle.folderName, "20250301120000123")
        XCTAssertEqual(bundle.folder, package.outbound + "/spotify/20250301120000123")
        XCTAssertEqual(bundle.completion, .manifest)
        XCTAssertEqual(bundle.files.map(\.path), [
            "0094631432057/resources/0094631432057_01_001.flac", "0094631432057/resources/0094631432057_01_002.flac",
            "0094631432057/resources/0094631432057_01_003.flac", "0094631432057/resources/0094631432057.jpg",
            "0094631432057/0094631432057.xml", "BatchComplete_20250301120000123.xml",
        ])
        XCTAssertEqual(bundle.files.map(\.role), [.resource, .resource, .resource, .resource, .message, .manifest])
        // Nothing else beside it: the folder and its description; no temporary folder left.
        XCTAssertEqual(package.entries("spotify"), ["20250301120000123", "20250301120000123.bundle.json"])

        // Every file's recorded size and checksums are the file's (coreutils as the oracle).
        for file in bundle.files {
            let actual = try Shell.digest(bundle.folder + "/" + file.path)
            XCTAssertEqual(FileDigest(size: file.size, md5: file.md5, sha256: file.sha256), actual, file.path)
        }
        // The hash sums inside the ERN equal the delivered files'.
        let xml = try text(bundle.folder + "/0094631432057/0094631432057.xml")
        for file in bundle.files where file.role == .resource {
            let uri = String(file.path.dropFirst("0094631432057/".count))
            XCTAssertTrue(xml.contains("<URI>\(uri)</URI>"), uri)
            XCTAssertTrue(xml.contains("<HashSumValue>\(try Shell.digest(bundle.folder + "/" + file.path).md5)</HashSumValue>"))
            XCTAssertTrue(xml.contains("<FileSize>\(file.size)</FileSize>"))
        }
        XCTAssertEqual(try Shell.xmllint(bundle.folder + "/0094631432057/0094631432057.xml", schema: Shell.xsd("ern43/release-notification.xsd")), "")
        let manifestPath = bundle.folder + "/BatchComplete_20250301120000123.xml"
        XCTAssertEqual(try Shell.xmllint(manifestPath, schema: Shell.xsd("ern-c-sftp18/ern-choreography-sftp.xsd")), "")
        let manifest = try text(manifestPath)
        XCTAssertTrue(manifest.contains("<MessageId>\(bundle.messageId)</MessageId>"))
        XCTAssertTrue(manifest.contains("<URL>0094631432057/0094631432057.xml</URL>"))
        XCTAssertTrue(manifest.contains("<RootDirectory>20250301120000123</RootDirectory>"))
        XCTAssertTrue(manifest.contains("<HashSumValue>\(bundle.files[4].md5)</HashSumValue>"))
        XCTAssertTrue(manifest.contains("<DeliveryType>NewReleaseDelivery</DeliveryType>"))

        // Resources are hard links of the package files, which are untouched.
        let source = try FileManager.default.attributesOfItem(atPath: package.root + "/resources/01.flac")
        let linked = try FileManager.default.attributesOfItem(atPath: bundle.folder + "/" + bundle.files[0].path)
        XCTAssertEqual(source[.systemFileNumber] as? NSNumber, linked[.systemFileNumber] as? NSNumber)

        // The description beside the folder decodes to the returned bundle.
        let decoded = try JSONDecoder().decode(DeliveryBundle.self, from: Data(contentsOf: URL(fileURLWithPath: bundle.descriptionPath)))
        XCTAssertEqual(decoded, bundle)
    }

    func testReleaseByReleaseLayoutERN382() throws {
        let package = try TestPackage(trackCount: 2)
        let result = package.builder(clock: clock).build(package.validated, for: Profiles.audius(), outboundRoot: package.outbound)
        let bundle = try XCTUnwrap(result.bundle, "\(result.problems)")
        XCTAssertEqual(bundle.folderName, "P_0094631432057_20250301120000123")
        XCTAssertEqual(bundle.completion, .none)
        XCTAssertEqual(bundle.files.map(\.path), [
            "resources/JPTO09404901.flac", "resources/JPTO09404902.flac", "resources/0094631432057_cover.jpg",
            "0094631432057.xml",
        ])
        XCTAssertEqual(package.entries("audius"), ["P_0094631432057_20250301120000123", "P_0094631432057_20250301120000123.bundle.json"])
        let path = bundle.folder + "/0094631432057.xml"
        XCTAssertEqual(try Shell.xmllint(path, schema: Shell.xsd("ern382/release-notification.xsd")), "")
        let xml = try text(path)
        XCTAssertTrue(xml.contains("<FileName>JPTO09404901.flac</FileName>"))
        XCTAssertTrue(xml.contains("<HashSum>\(bundle.files[0].md5)</HashSum>"))
        XCTAssertFalse(xml.contains("<TerritoryCode>JP</TerritoryCode>"), "JP is outside Audius's territories here")
    }

    func testPerDSPSuitabilityOnlyStopsThatDSP() throws {
        let package = try TestPackage(trackCount: 2)
        var refusesFLAC = Profiles.spotify()
        refusesFLAC.name = "wavonly"
        refusesFLAC.audioFormats = [.pcm]
        var usOnly = Profiles.spotify()
        usOnly.name = "usonly"
        usOnly.territories = TerritorySet(included: [Profiles.territory("US")])
        usOnly.commercialModels = ["PayAsYouGoModel"]
        let results = package.builder().buildAll(
            package.validated, profiles: [Profiles.spotify(), Profiles.labelcamp(), refusesFLAC, usOnly], outboundRoot: package.outbound)
        let byDSP = Dictionary(uniqueKeysWithValues: results.map { ($0.dsp, $0) })
        XCTAssertNotNil(byDSP["spotify"]?.bundle)
        // Synthetic cover: 3000×3000 JPEG, fine for Labelcamp (3000-4500, square, JPEG).
        XCTAssertNotNil(byDSP["labelcamp"]?.bundle, "\(byDSP["labelcamp"]?.problems ?? [])")
        XCTAssertNil(byDSP["wavonly"]?.bundle)
        XCTAssertEqual(Set(byDSP["wavonly"]?.problems.map(\.code) ?? []), [.dspAudioFormatRefused])
        XCTAssertEqual(byDSP["wavonly"]?.problems.count, 2, "one per track")
        XCTAssertEqual(byDSP["usonly"]?.problems.map(\.code), [.dspNoDealInTerritories])
        XCTAssertTrue(byDSP["usonly"]?.problems.first?.location.hasPrefix("dsp.usonly") ?? false)
        XCTAssertEqual(package.entries("wavonly"), [])
        XCTAssertEqual(package.entries("usonly"), [])
        XCTAssertEqual(package.entries("labelcamp").filter { $0.hasSuffix(".bundle.json") }.count, 1)
        XCTAssertTrue(package.entries("labelcamp")[0].hasPrefix("P_"))
    }

    func testReleaseTargetsOnlyItsDSPs() throws {
        var package = try TestPackage(trackCount: 1)
        package.validated.release.dsps = ["audius"]
        let results = package.builder().buildAll(package.validated, profiles: [Profiles.spotify(), Profiles.audius()],
                                                 outboundRoot: package.outbound)
        XCTAssertEqual(results.map(\.dsp), ["audius"])
    }

    func testRemoveDealsTakedownBatch() throws {
        let package = try TestPackage(trackCount: 2, takedown: true)
        let result = package.builder(clock: clock).build(package.validated, for: Profiles.spotify(), outboundRoot: package.outbound)
        let bundle = try XCTUnwrap(result.bundle, "\(result.problems)")
        XCTAssertTrue(bundle.isTakedown)
        XCTAssertEqual(bundle.messageType, "NewReleaseMessage")
        XCTAssertEqual(bundle.files.map(\.role), [.message, .manifest], "a takedown travels without its files")
        let xml = try text(bundle.folder + "/" + bundle.files[0].path)
        XCTAssertFalse(xml.contains("DealList"))
        XCTAssertTrue(xml.contains("<IsProvidedInDelivery>false</IsProvidedInDelivery>"))
        XCTAssertEqual(try Shell.xmllint(bundle.folder + "/" + bundle.files[0].path, schema: Shell.xsd("ern43/release-notification.xsd")), "")
        let manifest = try text(bundle.folder + "/" + bundle.files[1].path)
        XCTAssertTrue(manifest.contains("<DeliveryType>TakeDown</DeliveryType>"))
    }

    func testPurgeReleaseTakedownInBothChoreographies() throws {
        let package = try TestPackage(trackCount: 2, takedown: true)
        let rbr = try XCTUnwrap(package.builder(clock: clock).build(package.validated, for: Profiles.audius(),
                                                                    outboundRoot: package.outbound).bundle)
        XCTAssertEqual(rbr.messageType, "PurgeReleaseMessage")
        XCTAssertEqual(rbr.files.map(\.path), ["0094631432057.xml"])
        XCTAssertEqual(try Shell.xmllint(rbr.folder + "/0094631432057.xml", schema: Shell.xsd("ern382/release-notification.xsd")), "")

        var batchPurge = Profiles.spotify()
        batchPurge.name = "batchpurge"
        batchPurge.takedownStyle = .purgeRelease
        let batch = try XCTUnwrap(package.builder(clock: clock).build(package.validated, for: batchPurge,
                                                                      outboundRoot: package.outbound).bundle)
        XCTAssertEqual(batch.completion, .zeroByteSemaphore)
        XCTAssertEqual(batch.files.last?.path, "BatchComplete_20250301120000123.xml")
        XCTAssertEqual(batch.files.last?.size, 0)
        XCTAssertEqual(try Shell.xmllint(batch.folder + "/0094631432057/0094631432057.xml", schema: Shell.xsd("ern43/release-notification.xsd")), "")
    }

    func testXSDFailurePublishesNothing() throws {
        let bogus = Deal(territories: TerritorySet(included: [.worldwide]), commercialModels: ["NotAModel"],
                         useTypes: ["OnDemandStream"], start: try PartialDate(validating: "2025-01-01"))
        let package = try TestPackage(trackCount: 2, deals: [bogus])
        var acceptsAll = Profiles.spotify()
        acceptsAll.commercialModels = []
        let result = package.builder().build(package.validated, for: acceptsAll, outboundRoot: package.outbound)
        XCTAssertNil(result.bundle)
        XCTAssertFalse(result.problems.isEmpty)
        XCTAssertTrue(result.problems.allSatisfy { $0.code == .ernXSDInvalid }, "\(result.problems)")
        XCTAssertTrue(result.problems.contains { $0.message.contains("NotAModel") }, "libxml2's message is kept")
        XCTAssertTrue(result.problems[0].location.contains("0094631432057.xml:"), result.problems[0].location)
        XCTAssertEqual(package.entries("spotify"), [], "no bundle, no temporary folder, no description")
    }

    func testChangedResourceFailsAndLeavesNothing() throws {
        let package = try TestPackage(trackCount: 2)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: package.root + "/resources/02.flac"))
        let result = package.builder().build(package.validated, for: Profiles.spotify(), outboundRoot: package.outbound)
        XCTAssertNil(result.bundle)
        XCTAssertEqual(result.problems.map(\.code), [.bundleResourceChanged])
        XCTAssertEqual(package.entries("spotify"), [])
        // The package itself is untouched apart from the test's own change.
        XCTAssertTrue(FileManager.default.fileExists(atPath: package.root + "/resources/01.flac"))
    }

    func testSameMillisecondGetsTheNextBatchId() throws {
        let package = try TestPackage(trackCount: 1)
        let builder = package.builder(clock: clock)
        let first = try XCTUnwrap(builder.build(package.validated, for: Profiles.spotify(), outboundRoot: package.outbound).bundle)
        let second = try XCTUnwrap(builder.build(package.validated, for: Profiles.spotify(), outboundRoot: package.outbound).bundle)
        XCTAssertEqual(first.batchId, "20250301120000123")
        XCTAssertEqual(second.batchId, "20250301120000124")
        XCTAssertNotEqual(first.messageId, second.messageId)
    }

    func testOriginalNamingClashIsRefused() throws {
        var package = try TestPackage(trackCount: 2, extraFiles: ["other/01.flac"])
        package.validated.release.tracks[1].file = ResourceFile(path: "other/01.flac")
        package.validated.resources["other/01.flac"] = MeasuredResource(
            file: ResourceFile(path: "other/01.flac"), kind: package.validated.resources["resources/01.flac"]!.kind,
            digest: try Shell.digest(package.root + "/other/01.flac"))
        var profile = Profiles.spotify()
        profile.resourceNaming = .original
        let result = package.builder().build(package.validated, for: profile, outboundRoot: package.outbound)
        XCTAssertEqual(result.problems.map(\.code), [.bundleResourceNameClash])
        XCTAssertEqual(package.entries("spotify"), [])
    }

    func testInterruptedBuildsAreRemovedAtStartup() throws {
        let package = try TestPackage(trackCount: 1)
        let bundle = try XCTUnwrap(package.builder(clock: clock).build(package.validated, for: Profiles.spotify(),
                                                                       outboundRoot: package.outbound).bundle)
        let folder = package.outbound + "/spotify"
        for name in [".building-20250301120000999-ab12", "20250301120000555", "P_0094631432057_20250301120000777", "unrelated"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + name + "/x", withIntermediateDirectories: true)
        }
        // A description half written when the process was killed (before its rename), and one that is not ddexd's.
        FileManager.default.createFile(atPath: folder + "/.20250301120000555.bundle.json.tmp-4242", contents: Data("{".utf8))
        FileManager.default.createFile(atPath: folder + "/.notes.bundle.json.tmp-1", contents: Data())
        let removed = BundleBuilder.removeInterruptedBuilds(in: folder)
        XCTAssertEqual(removed, [".20250301120000555.bundle.json.tmp-4242", ".building-20250301120000999-ab12", "20250301120000555",
                                 "P_0094631432057_20250301120000777"])
        XCTAssertEqual(package.entries("spotify"), [".notes.bundle.json.tmp-1", bundle.folderName, bundle.folderName + ".bundle.json", "unrelated"])
    }
}


extension BundleBuilderTests {
    /// Two builders building at the same millisecond into one spool (two instances) get different BatchIds when
    /// they claim them in one place, although neither can see the other's bundle folder yet.
    func testBatchIdsClaimedInOnePlaceNeverRepeatAcrossBuilders() throws {
        final class Claims: BatchIdClaiming, @unchecked Sendable {
            let lock = NSLock()
            var taken: Set<String> = []
            func claim(dsp: String, batchId: String) throws -> Bool {
                lock.lock(); defer { lock.unlock() }
                return taken.insert(dsp + "/" + batchId).inserted
            }
        }
        let claims = Claims()
        let package = try TestPackage(trackCount: 1)
        // A batch id claimed by another instance whose folder is not there yet.
        XCTAssertTrue(try claims.claim(dsp: "spotify", batchId: "20250301120000123"))
        var builder = package.builder(clock: clock)
        builder.batchIds = claims
        let bundle = try XCTUnwrap(builder.build(package.validated, for: Profiles.spotify(), outboundRoot: package.outbound).bundle)
        XCTAssertEqual(bundle.batchId, "20250301120000124", "the claimed id is skipped")
        XCTAssertTrue(claims.taken.contains("spotify/20250301120000124"))
    }
}
