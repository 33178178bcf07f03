import DDEXModel
import DSR
import Foundation
import TestSupport
import XCTest

/// Every official sample in Fixtures/ddex-samples/dsr (sources in its NOTICE): the real reports load, the dsrf library's toy parser
/// fixtures are rejected with a precise code (they lack HEAD cells and carry FOOT counts of 123 for
/// 7 lines), while their lines still tokenize.
final class DSRSampleTests: XCTestCase {
    let samples = RepositoryPaths.samples.appendingPathComponent("dsr")

    func sample(_ name: String) -> URL { samples.appendingPathComponent(name) }

    func testOrfiumBasicAudioSampleReconciles() throws {
        let url = sample("DSR_PADPIDA00123456743_PADPIDA0123456766K_UnlimitedMusicMonthly_2020-06-01--2020-06-30__1of1_20200703T075930.tsv")
        let (events, reader) = try DSRFixture.events([url])
        XCTAssertEqual(reader.warnings, [])
        XCTAssertEqual(reader.summaries.count, 1)
        let summary = try XCTUnwrap(reader.summaries.first)
        XCTAssertEqual(summary.recordType, "SY01.02")
        XCTAssertEqual(summary.netRevenue, MicroAmount(micro: 5_000_000_000))
        XCTAssertEqual(summary.currencyOfReporting, "GBP")
        XCTAssertEqual(summary.totalUsages, 3160)
        let lines = DSRFixture.usages(events)
        XCTAssertEqual(lines.count, 15)
        XCTAssertEqual(lines.reduce(0) { $0 + $1.record.usages }, 3160, "the SU02.02 streams add up to SY TotalUsages")
        XCTAssertEqual(lines[0].isrc, "GBAHT0900445")
        XCTAssertEqual(lines[0].icpn, "825646846917")
        XCTAssertEqual(lines[0].record.useType, "OnDemandStream")
        XCTAssertEqual(lines[0].position, DSRPosition(fileNumber: 1, line: 10))
        XCTAssertEqual(lines.last?.isrc, "USCA20001686")
        let file = try XCTUnwrap(reader.finishedFiles.first)
        XCTAssertEqual(file.lineCount, 33)
        XCTAssertEqual(file.blockCount, 3)
        XCTAssertEqual(file.header.createdUnixMilliseconds, 1_593_763_170_000)
        // The multi-value WorkContributor cell of the first AS02.03 row is split on pipes.
        XCTAssertEqual(file.sha256.count, 64)
    }

    func testAdFundedSampleLoadsWithItsDocumentedQuirksAsWarnings() throws {
        let url = sample("DSR_PADPIDA2015999999X_PADPIDA2015999999X_AdFunded_2015-08-01--2015-08-31__1of1_20151123T182957.tsv")
        let (events, reader) = try DSRFixture.events([url])
        let codes = reader.warnings.map(\.code)
        XCTAssertEqual(codes.filter { $0 == .dsrFootBlocksInReport }.count, 1, "\(reader.warnings)")
        XCTAssertEqual(codes.filter { $0 == .dsrSummaryUnknown }.count, 3, "SU rows say SY1, the summary is 1")
        XCTAssertEqual(reader.summaries.first?.netRevenue, MicroAmount(micro: 10_000_000))
        XCTAssertEqual(reader.summaries.first?.exchangeRateText, "0.87")
        let lines = DSRFixture.usages(events)
        XCTAssertEqual(lines.count, 3)
        // RL1/RES1 repeat in every block: references resolve within their own block.
        XCTAssertEqual(lines.map(\.icpn), ["731453000000", "731453000000", "731453000000"])
        XCTAssertEqual(lines.map(\.blockOrdinal), [0, 1, 2])
        XCTAssertEqual(lines.map(\.record.releaseReference), ["RL1", "RL1", "RL1"])
    }

    func testYouTubeUGCSampleKeysSummariesByRightsController() throws {
        let name = "DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv"
        do {
            let (events, reader) = try DSRFixture.events([sample(name)])
            XCTAssertEqual(reader.summaries.count, 4, name)
            XCTAssertEqual(Set(reader.summaries.map(\.key)).count, 4, name)
            XCTAssertEqual(reader.summaries.map(\.rightsController), ["PUB_2", "SOC_1", "PUB_3", "Residual"])
            XCTAssertEqual(reader.summaries[2].allocatedNetRevenue, MicroAmount(micro: 1_879_870_000))
            let lines = DSRFixture.usages(events)
            XCTAssertEqual(lines.count, 6, name)
            XCTAssertEqual(lines[0].record.recordType, "SU03.01")
            XCTAssertEqual(lines[0].record.usages, 7810)
            XCTAssertEqual(lines[0].record.netRevenue, MicroAmount(micro: 2_000_000))
            XCTAssertEqual(lines[0].isrc, "USSM19803037", "SU03 names the resource by its DSP id")
            let licensor = events.compactMap { event -> (DSRLicensorRecord, DSRPosition?)? in
                if case .licensor(let record, _, _, let parent) = event { return (record, parent) }
                return nil
            }
            XCTAssertEqual(licensor.count, 6, name)
            XCTAssertEqual(licensor.last?.0.allocatedAmount, MicroAmount(micro: 11_490_000))
            XCTAssertNotNil(licensor.last?.1, "an LI01 row belongs to the SU03 row before it")
            XCTAssertEqual(reader.finishedFiles.first?.lineCount, 35)
            XCTAssertEqual(reader.warnings.filter { $0.code != .dsrFileNameHeadDiffers }, [], name)
        }
    }

    /// TEST2 is TEST with one LI01 line deleted and its FOOT left at 35: 34 lines. A line count that
    /// does not reconcile is how a cut file shows, so it stays an error.
    func testYouTubeTEST2SampleLacksALineItsFootCounts() {
        let name = "DSR_TEST2_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv"
        assertDSRError(.footMismatch, line: 34, cell: 2, column: "NumberOfLinesInFile") { try DSRFixture.events([sample(name)]) }
    }

    /// The dsrf library's parser fixtures are fragments: HEAD with 4 or 6 of its 12 mandatory cells,
    /// unversioned SY03/AS02, FOOT 123 for 7 lines. They are rejected at HEAD, by code and place.
    func testDsrfToyFixturesAreRejectedAtTheirHEAD() throws {
        for name in ["DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_1of1_20140617T092522.tsv",
                     "DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_1of1_20150723T092522.tsv",
                     "DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_1of2_20150723T092522.tsv",
                     "DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_2of2_20150723T092522.tsv"] {
            XCTAssertNoThrow(try DSRFileName(parsing: name), name)
            assertDSRError(.cellCount, line: 1) { try DSRFixture.records(sample(name)) }
        }
        // The two-file report is complete by name; it fails on its first file's HEAD.
        let pair = ["1of2", "2of2"].map { sample("DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_\($0)_20150723T092522.tsv") }
        assertDSRError(.cellCount, line: 1, cell: 5) { try DSRFixture.events(pair) }
        // test_file_parser.tsv starts with FHEA; its gzip twin reads the same.
        assertDSRError(.headMissing, line: 3, cell: 1) { try DSRFixture.records(sample("test_file_parser.tsv")) }
        assertDSRError(.headMissing, line: 3, cell: 1) { try DSRFixture.records(sample("test_file_parser.tsv.gz")) }
        assertDSRError(.fileName) { try DSRFileName(parsing: "test_file_parser.tsv") }
    }
}
