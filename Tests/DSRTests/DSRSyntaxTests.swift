import DDEXModel
import DSR
import Foundation
import TestSupport
import XCTest

/// The line and cell rules: terminators, padding, headings, escapes, encoding, cell counts, order.
final class DSRSyntaxTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "dsr-syntax") }
    override func tearDown() { directory = nil }

    func write(_ text: String, name: String = DSRFixture.fileName) throws -> URL {
        try directory.write(text, to: name)
    }

    func usages(_ text: String) throws -> [DSRUsageRecord] {
        try DSRFixture.records(write(text)).compactMap { if case .usage(let u) = $0 { return u } else { return nil } }
    }

    func testMinimalReportReadsEveryRecordInOrder() throws {
        let records = try DSRFixture.records(write(DSRFixture.report()))
        XCTAssertEqual(records.count, 7)
        guard case .header(let header) = records[0], case .summary(let summary) = records[1],
              case .release(let release) = records[2], case .resource(let resource) = records[3],
              case .usage(let usage) = records[4], case .footer(let footer) = records[6] else {
            return XCTFail("unexpected records \(records)")
        }
        XCTAssertEqual(header.messageId, "MSG1")
        XCTAssertEqual(header.fileNumber, 1)
        XCTAssertEqual(header.representedRepertoire, [])
        XCTAssertEqual(summary.netRevenue, MicroAmount(micro: 5_000_005_000), "half-even beyond 6 decimals: 5000.0050005 → 5000.005000")
        XCTAssertEqual(summary.netRevenueText, "5000.005000500")
        XCTAssertEqual(release.icpn, "5099999999990")
        XCTAssertEqual(resource.isrcs, ["GBAAA2000001"])
        XCTAssertEqual(usage.usages, 10)
        XCTAssertEqual(usage.isRoyaltyBearing, true)
        XCTAssertEqual(usage.resourceReference, "A1")
        XCTAssertEqual(footer.numberOfLinesInFile, 8)
    }

    func testCRLFAndMissingFinalTerminatorAndBOM() throws {
        var text = "\u{FEFF}" + DSRFixture.report(lineEnd: "\r\n")
        text.removeLast(2)
        let records = try DSRFixture.records(write(text))
        XCTAssertEqual(records.count, 7)
        guard case .usage(let usage) = records[5] else { return XCTFail("\(records)") }
        XCTAssertEqual(usage.useType, "OnDemandStream", "no CR left in the last cell")
    }

    func testPaddedLinesAndHeadingsAreIgnoredButCounted() throws {
        let padded = DSRFixture.report().split(separator: "\n").map { line in
            line + String(repeating: "\t", count: max(0, 24 - line.split(separator: "\t", omittingEmptySubsequences: false).count))
        }.joined(separator: "\n")
        XCTAssertEqual(try DSRFixture.records(write(padded)).count, 7)
        // Without headings the counts change, and the FOOT must say so.
        let bare = DSRFixture.report().split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        assertDSRError(.footMismatch, line: 7, cell: 2, column: "NumberOfLinesInFile") { try DSRFixture.records(write(bare)) }
    }

    func testBlankLinesAreToleratedAndCounted() throws {
        let body = [DSRFixture.release(), "", DSRFixture.resource(), DSRFixture.usage()]
        XCTAssertEqual(try DSRFixture.records(write(DSRFixture.report(body: body))).count, 6)
    }

    func testSurplusCellsMustBeEmptyAndMandatoryCellsPresent() throws {
        let surplus = DSRFixture.report(body: [DSRFixture.release(), DSRFixture.resource(), DSRFixture.usage() + "\t\t\tX"])
        assertDSRError(.cellCount, line: 6, cell: 14) { try DSRFixture.records(write(surplus)) }
        let short = DSRFixture.report(body: [DSRFixture.release(), DSRFixture.resource(), "SU02.02\t1\tS1\tT1\t\tA1\tTRUE"])
        assertDSRError(.cellCount, line: 6, cell: 8, column: "Usages") { try DSRFixture.records(write(short)) }
        // Optional trailing cells may be missing (the Orfium sample's AS02.03 rows stop at 22 of 24).
        XCTAssertEqual(try usages(DSRFixture.report(body: [DSRFixture.release(), DSRFixture.resource(), "SU02.02\t1\tS1\tT1\t\tA1\tTRUE\t5"])).first?.useType, "")
    }

    func testUnknownRecordTypesAndVersions() throws {
        for type in ["SU02.09", "XX01", "SU03.03", "su02.02"] {
            let text = DSRFixture.report(body: [DSRFixture.release(), "\(type)\t1\tS1"])
            assertDSRError(.unknownRecord, line: 5, cell: 1, column: "RecordType") { try DSRFixture.records(write(text)) }
        }
    }

    func testInvalidCellValues() throws {
        let cases: [(String, Int, String)] = [
            (DSRFixture.usage(streams: "12a"), 8, "Usages"),
            (DSRFixture.usage(streams: "-3"), 8, "Usages"),
            (DSRFixture.usage(streams: ""), 8, "Usages"),
            ("SU02.02\t1\tS1\tT1\t\tA1\tyes\t1", 7, "IsRoyaltyBearing"),
            ("SU02.02\t1\tS1\tT1\tR1\tA1\tTRUE\t1", 5, "TransactedRelease"),
            ("SU02.02\t1\t\tT1\t\tA1\tTRUE\t1", 3, "SummaryRecordId"),
            ("SU02.02\t1\tS1\tT1\t\tA1\tTRUE\t1\t1,5", 9, "Price"),
        ]
        for (line, cell, column) in cases {
            let text = DSRFixture.report(body: [DSRFixture.release(), DSRFixture.resource(), line])
            assertDSRError(.cellInvalid, line: 6, cell: cell, column: column) { try DSRFixture.records(write(text)) }
        }
        let badMoney = DSRFixture.report(summaries: [DSRFixture.summary.replacingOccurrences(of: "5000.005000500", with: "5 000")])
        assertDSRError(.cellInvalid, line: 3, cell: 12, column: "NetRevenue") { try DSRFixture.records(write(badMoney)) }
        let badCreated = DSRFixture.report(created: "2020-07-03 07:59")
        assertDSRError(.cellInvalid, line: 1, cell: 6, column: "MessageCreatedDateTime") { try DSRFixture.records(write(badCreated)) }
    }

    func testInvalidUTF8NamesTheCell() throws {
        var data = Data(DSRFixture.report(body: [DSRFixture.release(), DSRFixture.resource().replacingOccurrences(of: "Track", with: "TrXck"), DSRFixture.usage()]).utf8)
        let index = try XCTUnwrap(data.range(of: Data("TrXck".utf8))).lowerBound + 2
        data[index] = 0xC3  // a lead byte followed by 'c': not UTF-8
        let url = try directory.write(data, to: DSRFixture.fileName)
        assertDSRError(.encoding, line: 5, cell: 6, column: "Title") { try DSRFixture.records(url) }
        // Valid multi-byte text passes.
        let fine = DSRFixture.report(body: [DSRFixture.release(), DSRFixture.resource().replacingOccurrences(of: "Track", with: "Mañana €𝄞"), DSRFixture.usage()])
        let records = try DSRFixture.records(write(fine))
        guard case .resource(let resource) = records[3] else { return XCTFail() }
        XCTAssertEqual(resource.title, "Mañana €𝄞")
    }

    func testEscapesAndMultiValues() throws {
        // Standard: \<TAB> is a tab, \\| a pipe, \\\ a backslash; reference parser: \| a pipe, \\ a backslash.
        let title = "A\\\tB \\\\| C \\| D \\\\\\ E \\\\ F \\x"
        let resource = "AS02.03\t1\tA1\tDA1\tGBAAA2000001|GBAAA2000002\t\(title)\t\tArtist\t\tPT3M\tSoundRecording\t\tX\\|Y|Z"
        let records = try DSRFixture.records(write(DSRFixture.report(body: [DSRFixture.release(), resource, DSRFixture.usage()])))
        guard case .resource(let parsed) = records[3] else { return XCTFail("\(records)") }
        XCTAssertEqual(parsed.title, "A\tB | C | D \\ E \\ F \\x")
        XCTAssertEqual(parsed.isrcs, ["GBAAA2000001", "GBAAA2000002"])
        XCTAssertEqual(parsed.isrc, "GBAAA2000001")
        XCTAssertEqual(parsed.resourceType, "SoundRecording", "the escaped tab did not shift the cells")
    }

    func testRecordOrder() throws {
        let secondHead = DSRFixture.report(body: [DSRFixture.head()])
        assertDSRError(.recordOrder, line: 4) { try DSRFixture.records(write(secondHead)) }
        let lateSummary = DSRFixture.report(body: [DSRFixture.release(), DSRFixture.summary])
        assertDSRError(.recordOrder, line: 5) { try DSRFixture.records(write(lateSummary)) }
        let afterFoot = DSRFixture.report() + DSRFixture.usage() + "\n"
        assertDSRError(.recordOrder, line: 9) { try DSRFixture.records(write(afterFoot)) }
        XCTAssertEqual(try DSRFixture.records(write(DSRFixture.report() + "\n\n")).count, 7, "blank lines after FOOT are harmless")
        let noHead = DSRFixture.report().split(separator: "\n").dropFirst().joined(separator: "\n")
        assertDSRError(.headMissing, line: 2, cell: 1) { try DSRFixture.records(write(noHead)) }
        assertDSRError(.headMissing) { try DSRFixture.records(write("#HEAD\tMessageVersion\n")) }
        let noFoot = DSRFixture.report().split(separator: "\n").dropLast().joined(separator: "\n")
        assertDSRError(.footMissing, line: 7) { try DSRFixture.records(write(noFoot)) }
    }

    func testFootCountsAreCheckedExactly() throws {
        let summaries = DSRFixture.report(summaries: [DSRFixture.summary]).replacingOccurrences(of: "FOOT\t8\t8\t1\t1\t1", with: "FOOT\t8\t8\t2\t1\t1")
        assertDSRError(.footMismatch, line: 8, cell: 4) { try DSRFixture.records(write(summaries)) }
        let blocks = DSRFixture.report(blocks: 2)
        assertDSRError(.footMismatch, line: 8, cell: 5) { try DSRFixture.records(write(blocks)) }
        let twoBlocks = DSRFixture.report(body: [DSRFixture.release(), DSRFixture.resource(), DSRFixture.usage(),
                                                 DSRFixture.release(block: 2), DSRFixture.resource(block: 2), DSRFixture.usage(block: 2)])
        let records = try DSRFixture.records(write(twoBlocks))
        guard case .footer(let footer) = records.last else { return XCTFail() }
        XCTAssertEqual(footer.numberOfBlocksInFile, 2)
    }

    func testLineTooLongIsRejected() throws {
        let text = DSRFixture.report(body: [DSRFixture.release(), "AS02.03\t1\tA1\tD\tI\t" + String(repeating: "x", count: 5000)])
        let url = try write(text)
        let parser = try DSRFileParser(path: url.path, maxLineLength: 1024)
        assertDSRError(.lineTooLong, line: 5) { while try parser.next() != nil {} }
    }
}
