import DDEXModel
import DSR
import Foundation
import GRDB
import Store
import TestSupport
import XCTest

/// A report is written in bounded transactions but seen by readers all at once: staged rows are invisible to
/// `loaded`-only readers, a failed load removes them, and a load cut short (a crash) is cleared by the next one.
final class DSRLoaderBoundedTests: XCTestCase {
    var directory: TemporaryDirectory!
    var path: String { directory.url.appendingPathComponent("ddexd.sqlite").path }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "store-dsr-bounded")
        _ = try Database.openMigrated(path: path)
    }

    /// XCTest keeps every test case object until the run ends, so the folder goes here, not in deinit.
    override func tearDown() {
        directory = nil
        super.tearDown()
    }

    private func files(_ golden: GoldenReport) throws -> DSRReportFiles {
        let copy = try golden.copy(into: directory.url)
        let grouped = DSRReportFiles.group(paths: copy.reportFiles.map(\.path))
        return try XCTUnwrap(grouped.reports.first)
    }

    private func counts(_ db: Store.Database) throws -> [Int64] {
        try ["dsr_reports", "dsr_report_files", "dsr_summaries", "dsr_releases", "dsr_resources", "dsr_usage_lines",
             "dsr_report_warnings"].map { try db.scalarInt("SELECT count(*) FROM \($0)") ?? -1 }
    }

    private static let visible = """
        SELECT count(*) FROM dsr_usage_lines l JOIN dsr_reports r ON r.id = l.report_id WHERE r.state = 'loaded'
        """

    /// Between two of the load's transactions, another connection sees committed staged rows, and no line of
    /// a `loaded` report until the last transaction.
    func testReadersSeeAReportAllAtOnceOrNotAtAll() throws {
        let reader = try Database(path: path)
        let report = try files(.seed2ThreeFiles)
        var seenStaged = false
        var seenVisible = false
        var transactions = 0
        var visibleCounts: Set<Int64> = []
        let writer = ObservingWriter(store: try StoreDatabase(path: path)) {
            transactions += 1
            let staged = (try? reader.scalarInt("SELECT count(*) FROM dsr_usage_lines")) ?? 0
            let visible = (try? reader.scalarInt(Self.visible)) ?? 0
            if staged > 0, visible == 0 { seenStaged = true }
            if visible > 0 { seenVisible = true }
            visibleCounts.insert(visible)
        }
        let result = try DSRReportLoader(writer: writer, linesPerTransaction: 50).load(report)
        XCTAssertEqual(result.outcome, .loaded)
        XCTAssertGreaterThan(transactions, 4, "written in several transactions")
        XCTAssertTrue(seenStaged, "committed chunks are on disk before the end, invisible to readers of loaded reports")
        XCTAssertTrue(seenVisible, "and visible after the last transaction")
        XCTAssertEqual(try reader.scalarInt(Self.visible), Int64(result.usageLineCount))
        XCTAssertEqual(visibleCounts, [0, Int64(result.usageLineCount)], "never a part of the report")
    }

    /// Tells after each committed transaction.
    private final class ObservingWriter: StoreWriter, @unchecked Sendable {
        let store: StoreDatabase
        let committed: () -> Void
        init(store: StoreDatabase, committed: @escaping () -> Void) {
            self.store = store
            self.committed = committed
        }

        func write<T>(durable: Bool, _ body: (GRDB.Database) throws -> T) throws -> T {
            let value = try store.write(durable: durable, body)
            committed()
            return value
        }
    }

    /// A failure after several committed chunks removes every staged row: the store is as before.
    func testAFailureAfterCommittedChunksRemovesTheStagedRows() throws {
        let db = try Database(path: path)
        let report = try files(.seed42TwoFilesCRLFPadded)
        try db.execute("""
            CREATE TRIGGER fail_late AFTER INSERT ON dsr_usage_lines WHEN NEW.file_number = 2 AND NEW.line_number > 100
            BEGIN SELECT RAISE(ABORT, 'disk full, say'); END;
            """)
        let before = try counts(db)
        let store = try StoreDatabase(path: path)
        XCTAssertThrowsError(try DSRReportLoader(writer: store, linesPerTransaction: 20).load(report))
        XCTAssertEqual(try counts(db), before)
        try db.execute("DROP TRIGGER fail_late")
        XCTAssertEqual(try DSRReportLoader(writer: store, linesPerTransaction: 20).load(report).outcome, .loaded)
    }

    /// A crash before the last transaction leaves the report staged with its rows; the next load clears them
    /// and loads it once: no duplicate line.
    func testALoadCutShortIsClearedByTheNextOne() throws {
        let db = try Database(path: path)
        let report = try files(.seed2ThreeFiles)
        let store = try StoreDatabase(path: path)
        let once = try DSRReportLoader(writer: store, linesPerTransaction: 30).load(report)
        let loaded = try counts(db)
        // As a crash just before the last transaction would leave it.
        try db.execute("UPDATE dsr_reports SET state = 'downloaded'")
        try db.execute("DELETE FROM dsr_report_warnings")
        let again = try DSRReportLoader(writer: store, linesPerTransaction: 30).load(report)
        XCTAssertEqual(again.outcome, .loaded)
        XCTAssertEqual(again.usageLineCount, once.usageLineCount)
        XCTAssertEqual(try counts(db), loaded)
        XCTAssertEqual(try db.scalarInt(Self.visible), Int64(once.usageLineCount))
        let synchronous = try store.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        XCTAssertEqual(synchronous, 2, "staged units commit without fsync; the setting comes back FULL")
    }
}

/// The synthetic report that the daemon tests load while they deliver is a valid DSR.
final class SyntheticDSRReportTests: XCTestCase {
    func testTheSyntheticReportLoads() throws {
        let directory = try TemporaryDirectory(prefix: "synthetic-dsr")
        let (path, lines) = try SyntheticDSRReport.write(lines: 10_000, into: directory.path)
        let db = try Database.openMigrated(path: directory.path + "/ddexd.sqlite")
        let grouped = DSRReportFiles.group(paths: [path])
        XCTAssertEqual(grouped.rejected.count, 0, "\(grouped.rejected)")
        let result = try DSRReportLoader(database: db).load(try XCTUnwrap(grouped.reports.first))
        XCTAssertEqual(result.outcome, .loaded)
        XCTAssertEqual(result.lineCount, lines)
        XCTAssertEqual(result.usageLineCount, (lines - 3) / 100 * 98)
        XCTAssertEqual(result.warnings, [])
    }
}
