import DDEXModel
import DSR
import Foundation
import Store
import TestSupport
import XCTest

final class DSRLoaderTests: XCTestCase {
    var directory: TemporaryDirectory!
    var db: Database!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "store-dsr")
        db = try Database.openMigrated(path: directory.url.appendingPathComponent("ddexd.sqlite").path)
    }

    override func tearDown() {
        db = nil
        directory = nil
    }

    let samples = RepositoryPaths.samples.appendingPathComponent("dsr")
    let orfium = "DSR_PADPIDA00123456743_PADPIDA0123456766K_UnlimitedMusicMonthly_2020-06-01--2020-06-30__1of1_20200703T075930.tsv"

    func report(_ urls: [URL]) throws -> DSRReportFiles {
        let grouped = DSRReportFiles.group(paths: urls.map(\.path))
        if let error = grouped.rejected.first { throw error }
        return try XCTUnwrap(grouped.reports.first)
    }

    func load(_ urls: [URL]) throws -> DSRLoadResult {
        try DSRReportLoader(database: db).load(report(urls))
    }

    func count(_ table: String) throws -> Int64 { try db.scalarInt("SELECT count(*) FROM \(table)") ?? -1 }

    func tableCounts() throws -> [Int64] {
        try ["dsr_reports", "dsr_report_files", "dsr_summaries", "dsr_releases", "dsr_resources", "dsr_usage_lines",
             "dsr_report_warnings"].map(count)
    }

    /// A private copy of a golden dsrgen report (tests change its files): its DSR files and its folder.
    func golden(_ report: GoldenReport) throws -> (files: [URL], folder: URL) {
        let copy = try report.copy(into: directory.url)
        return (copy.reportFiles, copy.folder)
    }

    func testOrfiumSampleLoadsWithExactMoneyAndReportOrder() throws {
        let result = try load([samples.appendingPathComponent(orfium)])
        XCTAssertEqual(result.outcome, .loaded)
        XCTAssertEqual(result.usageLineCount, 15)
        XCTAssertEqual(result.lineCount, 33)
        let summary = try db.prepare("SELECT summary_record_id, net_revenue_micro, currency_of_reporting, total_usages, exchange_rate_text FROM dsr_summaries")
        XCTAssertTrue(try summary.step())
        XCTAssertEqual(summary.string(at: 0), "S1")
        XCTAssertEqual(summary.int64(at: 1), 5_000_000_000)
        XCTAssertEqual(summary.string(at: 2), "GBP")
        XCTAssertEqual(summary.int64(at: 3), 3160)
        XCTAssertEqual(summary.string(at: 4), "1.00")
        XCTAssertEqual(try db.scalarInt("SELECT sum(usages) FROM dsr_usage_lines WHERE report_id = ? AND summary_record_id = 'S1'", .integer(result.reportId)), 3160)
        // Lines point at their resource row and carry its ISRC; ids follow report order.
        XCTAssertEqual(try db.scalarInt("""
            SELECT count(*) FROM dsr_usage_lines l JOIN dsr_resources r ON r.id = l.resource_id
            WHERE r.isrc = l.isrc AND r.block_id = l.block_id AND l.isrc != ''
            """), 15)
        XCTAssertEqual(try db.scalarText("SELECT group_concat(line_number, ',') FROM (SELECT line_number FROM dsr_usage_lines ORDER BY id)"),
                       "10,11,12,16,17,18,19,24,25,26,27,28,29,30,31")
        XCTAssertEqual(try db.scalarText("SELECT isrcs FROM dsr_resources ORDER BY id LIMIT 1"), "[\"GBAHT0900445\"]")
        let stored = try XCTUnwrap(DSRReportStore(database: try StoreDatabase(path: db.path)).report(id: result.reportId))
        XCTAssertEqual(stored.state, .loaded)
        XCTAssertEqual(stored.key.territory, "")
        XCTAssertEqual(try db.scalarText("SELECT period_start || '..' || period_end || ' ' || created_at FROM dsr_reports"),
                       "2020-06-01..2020-06-30 2020-07-03T07:59:30Z")
    }

    func testUGCSampleStoresLicensorLinesWithTheirParent() throws {
        let result = try load([samples.appendingPathComponent("DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv")])
        XCTAssertEqual(result.usageLineCount, 12)
        XCTAssertEqual(try count("dsr_summaries"), 4)
        XCTAssertEqual(try db.scalarInt("SELECT sum(allocated_amount_micro) FROM dsr_usage_lines WHERE record_type = 'LI01.01'"),
                       125_230_000 + 30_320_000 + 20_980_000 + 10_860_000 + 11_490_000)
        XCTAssertEqual(try db.scalarInt("""
            SELECT count(*) FROM dsr_usage_lines li JOIN dsr_usage_lines su ON su.id = li.parent_line_id
            WHERE li.record_type = 'LI01.01' AND su.record_type = 'SU03.01'
            """), 6)
    }

    func testAdFundedSampleKeepsItsWarnings() throws {
        let result = try load([samples.appendingPathComponent("DSR_PADPIDA2015999999X_PADPIDA2015999999X_AdFunded_2015-08-01--2015-08-31__1of1_20151123T182957.tsv")])
        XCTAssertEqual(Set(result.warnings.map(\.code)), [.dsrFootBlocksInReport, .dsrSummaryUnknown])
        XCTAssertEqual(try DSRReportStore(database: try StoreDatabase(path: db.path)).warnings(reportId: result.reportId), result.warnings)
    }

    func testDsrgenMultiFileGzipReportMatchesTheOracle() throws {
        let (files, folder) = try golden(.seed7ThreeGzipFiles)
        XCTAssertEqual(files.count, 3)
        let result = try load(files.reversed())
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as? [String: Any]
        XCTAssertEqual(result.usageLineCount, expected?["lines"] as? Int)
        XCTAssertEqual(try count("dsr_report_files"), 3)
        XCTAssertEqual(try db.scalarText("SELECT group_concat(file_number, ',') FROM (SELECT DISTINCT file_number FROM dsr_usage_lines ORDER BY id)"), "1,2,3")
        // Per summary: amount in micro-units and the sum of its lines' streams, as the oracle computed them.
        let csv = try String(contentsOf: folder.appendingPathComponent("expected_summaries.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = rows[0]
        let id = try XCTUnwrap(header.firstIndex(of: "summary_id"))
        let micro = try XCTUnwrap(header.firstIndex(of: "amount_micro"))
        let usages = try XCTUnwrap(header.firstIndex(of: "usages"))
        for row in rows.dropFirst() {
            XCTAssertEqual(try db.scalarInt("SELECT net_revenue_micro FROM dsr_summaries WHERE summary_record_id = ?", .text(row[id])), Int64(row[micro]), row[id])
            XCTAssertEqual(try db.scalarInt("SELECT coalesce(sum(usages), 0) FROM dsr_usage_lines WHERE summary_record_id = ?", .text(row[id])), Int64(row[usages]), row[id])
        }
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM dsr_usage_lines WHERE isrc = '' OR resource_id IS NULL"), 0)
    }

    func testLoadingTheSameFilesTwiceChangesNothingAndSaysSo() throws {
        let url = samples.appendingPathComponent(orfium)
        let first = try load([url])
        let before = try tableCounts()
        let second = try load([url])
        XCTAssertEqual(second.outcome, .alreadyLoaded)
        XCTAssertEqual(second.reportId, first.reportId)
        XCTAssertEqual(second.usageLineCount, 15)
        XCTAssertEqual(try tableCounts(), before)
        // Same name, other bytes: refused.
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "\t120\t", with: "\t121\t")
        let changed = try directory.write(text, to: orfium)
        XCTAssertThrowsError(try load([changed])) { error in
            XCTAssertEqual((error as? DSRError)?.kind, .fileConflict, "\(error)")
        }
        XCTAssertEqual(try tableCounts(), before)
    }

    /// Two reports for one context: the newer (by HEAD creation time) counts, the older is kept superseded,
    /// whichever order they arrive in.
    func testNewerReportSupersedesOlderInEitherOrder() throws {
        func generate(_ name: String, seed: String) throws -> [URL] {
            try golden(GoldenReport("layout-plain")).files
        }
        let older = try generate("old", seed: "1")
        // Same context, later creation time: rename the file and rewrite HEAD's MessageCreatedDateTime.
        let newerURL = try rewrite(older[0], created: ("20200703T075930", "20200710T120000"),
                                   head: ("2020-07-03T07:59:30Z", "2020-07-10T12:00:00Z"), into: "new")
        let first = try load(older)
        let second = try load([newerURL])
        XCTAssertEqual(second.outcome, .loaded)
        XCTAssertEqual(second.superseded, [first.reportId])
        let store = DSRReportStore(database: try StoreDatabase(path: db.path))
        XCTAssertEqual(try store.report(id: first.reportId)?.state, .superseded)
        XCTAssertEqual(try store.report(id: first.reportId)?.supersededBy, second.reportId)
        XCTAssertEqual(try store.report(id: second.reportId)?.state, .loaded)

        // Late arrival of an even older report: loaded, and immediately superseded by the newest.
        let oldest = try rewrite(older[0], created: ("20200703T075930", "20200701T000000"),
                                 head: ("2020-07-03T07:59:30Z", "2020-07-01T00:00:00Z"), into: "oldest")
        let third = try load([oldest])
        XCTAssertEqual(third.outcome, .loadedSuperseded(by: second.reportId))
        XCTAssertEqual(try store.report(id: third.reportId)?.state, .superseded)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM dsr_reports WHERE state = 'loaded'"), 1)
        XCTAssertEqual(try count("dsr_reports"), 3, "superseded reports stay")
    }

    func rewrite(_ url: URL, created: (String, String), head: (String, String), into folder: String) throws -> URL {
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: head.0, with: head.1)
        let name = url.lastPathComponent.replacingOccurrences(of: created.0, with: created.1)
        return try directory.write(text, to: "\(folder)/\(name)")
    }

    func testAFailureMidReportLeavesNothingBehind() throws {
        let (files, _) = try golden(.seed2ThreeFiles)
        // Damage the last file's FOOT: files 1 and 2 load fine first, then the report fails.
        let last = files[2]
        var text = try String(contentsOf: last, encoding: .utf8)
        let footStart = try XCTUnwrap(text.range(of: "\nFOOT\t"))
        text.replaceSubrange(footStart.upperBound..<footStart.upperBound, with: "9")
        try text.write(to: last, atomically: true, encoding: .utf8)
        let before = try tableCounts()
        XCTAssertThrowsError(try load(files)) { error in
            XCTAssertEqual((error as? DSRError)?.kind, .footMismatch, "\(error)")
            XCTAssertEqual((error as? DSRError)?.file, last.lastPathComponent)
        }
        XCTAssertEqual(try tableCounts(), before)
        XCTAssertFalse(db.isInTransaction)
    }

    /// A write that fails half-way (here a trigger) stops the reader thread and rolls everything back.
    func testAStoreFailureMidReportStopsTheReaderAndRollsBack() throws {
        let (files, _) = try golden(.seed42TwoFilesCRLFPadded)
        try db.execute("""
            CREATE TRIGGER fail_midway AFTER INSERT ON dsr_usage_lines WHEN NEW.file_number = 2 AND NEW.line_number > 100
            BEGIN SELECT RAISE(ABORT, 'disk full, say'); END;
            """)
        let before = try tableCounts()
        XCTAssertThrowsError(try load(files)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .constraint, "\(error)")
            XCTAssertTrue("\(error)".contains("disk full, say"))
        }
        XCTAssertEqual(try tableCounts(), before)
        try db.execute("DROP TRIGGER fail_midway")
        XCTAssertEqual(try load(files).outcome, .loaded, "the same files load once the store works")
    }

    /// The report machine as stored: the files fetched for a report move with it through the store's one method
    /// (`fetched → downloaded → loaded → superseded`), and a move the machine does not have is refused.
    func testTheReportMachineIsStoredThroughOneMethod() throws {
        let files = try report([samples.appendingPathComponent(orfium)])
        let store = DSRReportStore(database: try StoreDatabase(path: db.path))
        let key = files.key
        XCTAssertEqual(try store.state(of: key), .fetched)
        let fetched = try store.recordFetched(NewDSRFetch(dsp: "d", remotePath: "reports/\(orfium)", fileName: orfium, size: 1,
                                                          remoteModified: nil, sha256: "ab", localPath: files.files[0].path,
                                                          reportKey: key), now: "t")
        XCTAssertEqual(fetched.state, .fetched)
        XCTAssertThrowsError(try store.apply(.publish, to: key, failure: nil, now: "t")) {
            XCTAssertEqual(($0 as? InvalidTransition)?.code, "STATE_INVALID_TRANSITION", "\($0)")
        }
        let result = try DSRReportLoader(database: db).load(files)
        XCTAssertEqual(try store.state(of: key), .loaded)
        XCTAssertEqual(try store.fetches().map(\.state), [.loaded], "the load published the fetched file with its report")
        XCTAssertEqual(try store.fetches().map(\.reportId), [result.reportId])
        XCTAssertEqual(try store.apply(.fail, to: key, failure: (code: "DSR_X", message: "other bytes"), now: "t"), .loaded,
                       "files that fail do not change a loaded report")
        XCTAssertEqual(try store.apply(.supersede, to: key, failure: nil, now: "t"), .superseded)
        XCTAssertEqual(try store.report(id: result.reportId)?.state, .superseded)
        XCTAssertThrowsError(try store.apply(.stage, to: key, failure: nil, now: "t"))

        // Files whose content cannot load fail with their code; they can be staged again on request.
        var other = key
        other.created = "20200704T000000"
        _ = try store.recordFetched(NewDSRFetch(dsp: "d", remotePath: "reports/other", fileName: "other", size: 1, remoteModified: nil,
                                                sha256: "cd", localPath: "/nowhere", reportKey: other), now: "t")
        XCTAssertEqual(try store.apply(.fail, to: other, failure: (code: "DSR_FOOT_MISMATCH", message: "bad"), now: "t"), .failed)
        XCTAssertEqual(try store.state(of: other), .failed)
        XCTAssertEqual(try store.fetches(dsp: "d").last?.errorCode, "DSR_FOOT_MISMATCH")
        XCTAssertThrowsError(try store.apply(.unstage, to: other, failure: nil, now: "t"))
    }
}
