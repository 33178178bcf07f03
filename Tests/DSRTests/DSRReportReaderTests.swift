import DDEXModel
import DSR
import Foundation
import TestSupport
import XCTest

/// Reports over several files, and the reports dsrgen writes in every layout option.
final class DSRReportReaderTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "dsr-report") }
    override func tearDown() { directory = nil }

    func name(_ x: Int, _ y: Int) -> String { "DSR_PADPIDA2_PADPIDA1_Svc_2020-06_GB_\(x)of\(y)_20200703T075930.tsv" }

    /// Two files: block 1 in the first, block 2 in the second, summaries repeated.
    func twoFiles(secondSummary: String = DSRFixture.summary, reportLines: Int? = nil, reportBlocks: Int? = 2) throws -> [URL] {
        let first = DSRFixture.report(body: [DSRFixture.release(), DSRFixture.resource(), DSRFixture.usage()], file: 1, of: 2)
        let second = DSRFixture.report(summaries: [secondSummary],
                                       body: [DSRFixture.release(block: 2), DSRFixture.resource(block: 2, isrc: "GBAAA2000002"),
                                              DSRFixture.usage(block: 2, streams: "7")],
                                       file: 2, of: 2, reportLines: reportLines ?? 14, reportBlocks: reportBlocks)
        return [try directory.write(first, to: name(1, 2)), try directory.write(second, to: name(2, 2))]
    }

    func testMultiFileReportReadsInOrderAndLoadsSummariesOnce() throws {
        let urls = try twoFiles()
        let (events, reader) = try DSRFixture.events(urls.reversed())
        XCTAssertEqual(events.filter { if case .summary = $0 { return true } else { return false } }.count, 1)
        let lines = DSRFixture.usages(events)
        XCTAssertEqual(lines.map(\.position), [DSRPosition(fileNumber: 1, line: 6), DSRPosition(fileNumber: 2, line: 6)])
        XCTAssertEqual(lines.map(\.isrc), ["GBAAA2000001", "GBAAA2000002"])
        XCTAssertEqual(lines.map(\.blockOrdinal), [0, 1])
        XCTAssertEqual(reader.finishedFiles.map(\.lineCount), [7, 7])
        XCTAssertEqual(reader.warnings, [])
    }

    func testReportTotalsInTheLastFoot() throws {
        assertDSRError(.footMismatch, line: 7, cell: 3, column: "NumberOfLinesInReport") {
            try DSRFixture.events(try twoFiles(reportLines: 15))
        }
        let (_, reader) = try DSRFixture.events(try twoFiles(reportBlocks: 5))
        XCTAssertEqual(reader.warnings.map(\.code), [.dsrFootBlocksInReport])
    }

    func testFilesMustRepeatTheSameSummariesAndHead() throws {
        let changed = DSRFixture.summary.replacingOccurrences(of: "\t30\t", with: "\t31\t")
        assertDSRError(.reportInconsistent, line: 3) { try DSRFixture.events(try twoFiles(secondSummary: changed)) }
        // A HEAD that disagrees with its name.
        let second = try twoFiles()[1]
        let wrong = try directory.write(DSRFixture.report(file: 1, of: 1), to: name(1, 2))
        assertDSRError(.fileNameMismatch, line: 1, cell: 7) { try DSRFixture.events([wrong, second]) }
    }

    func testMissingFileIsRejectedBeforeReading() throws {
        let urls = try twoFiles()
        let grouped = DSRReportFiles.group(paths: [urls[1].path])
        XCTAssertEqual(grouped.reports.count, 0)
        XCTAssertEqual(grouped.rejected.map(\.kind), [.missingFile])
    }

    func testDuplicateSummaryAndUnknownReferences() throws {
        let duplicate = try directory.write(DSRFixture.report(summaries: [DSRFixture.summary, DSRFixture.summary]), to: name(1, 1))
        assertDSRError(.summaryDuplicate, line: 4) { try DSRFixture.events([duplicate]) }
        try FileManager.default.removeItem(at: duplicate)
        let dangling = try directory.write(DSRFixture.report(body: [DSRFixture.release(), DSRFixture.resource(), DSRFixture.usage(ref: "A9")]), to: name(1, 1))
        let (events, reader) = try DSRFixture.events([dangling])
        XCTAssertEqual(reader.warnings.map(\.code), [.dsrReferenceUnknown])
        XCTAssertEqual(DSRFixture.usages(events).first?.isrc, "")
    }

    // MARK: dsrgen

    func generated(_ report: GoldenReport) throws -> (events: [DSRReportEvent], reader: DSRReportReader, expected: [String: Any]) {
        let (events, reader) = try DSRFixture.events(report.reportFiles)
        return (events, reader, try report.expectedJSON())
    }

    func testDsrgenReportsInEveryLayout() throws {
        var baseline: [DSRUsageLine]?
        for report in GoldenReport.layouts + [GoldenReport.layoutMixed] {
            let options = report.description
            let (events, reader, expected) = try generated(report)
            XCTAssertEqual(reader.warnings, [], "\(options)")
            let lines = DSRFixture.usages(events)
            XCTAssertEqual(lines.count, expected["lines"] as? Int, "\(options)")
            XCTAssertEqual(reader.summaries.count, expected["summaries"] as? Int, "\(options)")
            XCTAssertTrue(lines.allSatisfy { !$0.isrc.isEmpty && $0.record.usages >= 0 }, "\(options)")
            XCTAssertEqual(lines.map(\.position), lines.map(\.position).sorted(), "report order")
            if report.reportFiles.count == 1 {
                // Same seed: the same lines whatever the layout.
                let comparable = lines.map { line -> DSRUsageLine in var copy = line; copy.position.line = 0; return copy }
                if let baseline { XCTAssertEqual(comparable, baseline, "\(options)") } else { baseline = comparable }
            }
        }
    }

    func testDsrgenSummaryMoneyIsExact() throws {
        let report = GoldenReport.seed9TwoGzipFilesNegative
        let (_, reader, _) = try generated(report)
        let csv = try String(contentsOf: report.folder.appendingPathComponent("expected_summaries.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try XCTUnwrap(rows.first)
        let id = try XCTUnwrap(header.firstIndex(of: "summary_id"))
        let text = try XCTUnwrap(header.firstIndex(of: "net_revenue"))
        let micro = try XCTUnwrap(header.firstIndex(of: "amount_micro"))
        XCTAssertEqual(rows.count - 1, reader.summaries.count)
        for row in rows.dropFirst() {
            let summary = try XCTUnwrap(reader.summaries.first { $0.summaryRecordId == row[id] }, row[id])
            XCTAssertEqual(summary.netRevenueText, row[text])
            XCTAssertEqual(summary.netRevenue?.micro, Int64(row[micro]), row.joined(separator: ","))
        }
    }

    // MARK: Views

    /// The loader's path lends usage lines as views: each one is the line `next()` gives, byte for byte, in every
    /// layout, including escaped references resolved through their decoded bytes.
    func testViewsLendTheLinesThatNextGives() throws {
        let escapedRef = "A\\|1"  // `A\|1`: the reference `A|1`
        let body = [DSRFixture.release(), DSRFixture.resource(ref: escapedRef), DSRFixture.resource(ref: "A2", isrc: "GBAAA2000002"),
                    DSRFixture.usage(ref: escapedRef), DSRFixture.usage(ref: "A2", streams: "7", id: "T\\|2"),
                    DSRFixture.usage(ref: escapedRef, streams: "3", id: "T3")]
        let escaped = try directory.write(DSRFixture.report(body: body), to: name(1, 1))
        let cases = (GoldenReport.layouts + [GoldenReport.layoutMixed, GoldenReport.seed4TwoAccounts]).map(\.reportFiles) + [[escaped]]
        for files in cases {
            let (events, _) = try DSRFixture.events(files)
            let owned = DSRFixture.usages(events)
            let grouped = DSRReportFiles.group(paths: files.map(\.path))
            let reader = DSRReportReader(report: grouped.reports[0])
            var lent: [DSRUsageLine] = []
            while let item = try reader.nextItem() {
                if case .usage = item { lent.append(reader.usage.line) }
            }
            XCTAssertEqual(lent, owned, "\(files.first?.lastPathComponent ?? "")")
            XCTAssertFalse(lent.isEmpty)
        }
        let (events, _) = try DSRFixture.events([escaped])
        let lines = DSRFixture.usages(events)
        XCTAssertEqual(lines.map(\.isrc), ["GBAAA2000001", "GBAAA2000002", "GBAAA2000001"])
        XCTAssertEqual(lines.map(\.record.resourceReference), ["A|1", "A2", "A|1"])
        XCTAssertEqual(lines[1].record.salesTransactionId, "T|2")
    }
}
