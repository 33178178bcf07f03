import DDEXModel
import DSR
import Foundation
import PostgresStore
import Store
import TestSupport
import XCTest

/// The PostgreSQL DSR loader: the same rows as SQLite's loader, report for report; the same files twice change
/// nothing; a failure, or a connection lost mid-load, leaves nothing; loads of one report at once store it once.
final class PostgresDSRLoaderTests: PostgresStoreTestCase {
    /// Reports of every kind the samples and fixtures hold (releases, resources, UGC licensor lines with their
    /// parents, warnings, several files, gzip, CRLF, reports superseding others), loaded one after the other into
    /// both engines: every row of every table is the same, ids included. Tiny chunks on PostgreSQL (ids reserved and
    /// COPY restarted every few lines) change nothing. Loads that fail (broken samples) fail alike, last: a PostgreSQL sequence never
    /// gives back the ids a rolled-back load took, where SQLite reuses them, so only the ids after them would differ.
    func testEveryReportLoadsToTheSameRowsOnBothEngines() throws {
        let samples = try FileManager.default.contentsOfDirectory(atPath: Self.samples.path).filter { $0.hasPrefix("DSR_") }.sorted()
        var reports = DSRReportFiles.group(paths: samples.map { Self.samples.appendingPathComponent($0).path }).reports
        // The fixtures share one report name: each gets a creation time of its own, so they supersede each other.
        for (index, fixture) in [GoldenReport.seed2ThreeFiles, .layoutMixed, .seed9TwoGzipFilesNegative, .seed42TwoFilesCRLFPadded].enumerated() {
            let renamed = try golden(fixture).files.map { url in
                let target = url.deletingLastPathComponent()
                    .appendingPathComponent(url.lastPathComponent.replacingOccurrences(of: "T075930", with: "T08000\(index)"))
                try FileManager.default.moveItem(at: url, to: target)
                return target
            }
            reports.append(try report(renamed))
        }
        let sqlite = try makeSQLiteStore()
        let postgres = try makeDatabase()
        let tiny = try makeDatabase()
        var failing: [(DSRReportFiles, String)] = []
        for report in reports {
            do {
                let expected = try DSRReportLoader(writer: sqlite).load(report)
                XCTAssertEqual(try PostgresDSRReportLoader(database: postgres).load(report), expected, "\(report.key)")
                XCTAssertEqual(try PostgresDSRReportLoader(database: tiny, linesPerChunk: 7).load(report), expected, "\(report.key)")
            } catch {
                failing.append((report, (error as? any CodedError)?.code ?? "\(error)"))
            }
        }
        XCTAssertEqual(failing.map(\.1), ["DSR_CELL_COUNT", "DSR_FOOT_MISMATCH"], "two samples are broken on purpose")
        for (report, code) in failing {
            for database in [postgres, tiny] {
                XCTAssertThrowsError(try PostgresDSRReportLoader(database: database).load(report)) { error in
                    XCTAssertEqual((error as? any CodedError)?.code, code)
                }
            }
        }
        let rows = try StoredDSRRows.sqlite(sqlite.path)
        XCTAssertGreaterThan(rows["dsr_usage_lines"]?.count ?? 0, 6000)
        XCTAssertGreaterThan(rows["dsr_report_warnings"]?.count ?? 0, 0, "some sample has warnings")
        XCTAssertTrue(rows["dsr_usage_lines"]?.contains { $0.last! != nil } ?? false, "some licensor line names its parent")
        XCTAssertTrue(rows["dsr_reports"]?.contains { $0[1] == "superseded" } ?? false)
        StoredDSRRows.assertEqual(rows, try StoredDSRRows.postgres(postgres), "default chunks")
        StoredDSRRows.assertEqual(rows, try StoredDSRRows.postgres(tiny), "chunks of 7 lines")
    }

    func testLoadingTheSameFilesTwiceChangesNothingAndSaysSo() throws {
        let database = try makeDatabase()
        let loader = PostgresDSRReportLoader(database: database)
        let url = Self.samples.appendingPathComponent(Self.orfium)
        let first = try loader.load(report([url]))
        let before = try StoredDSRRows.postgres(database)
        let second = try loader.load(report([url]))
        XCTAssertEqual(second.outcome, .alreadyLoaded)
        XCTAssertEqual(second.reportId, first.reportId)
        XCTAssertEqual(second.usageLineCount, 15)
        XCTAssertEqual(try StoredDSRRows.postgres(database), before)
        // Same name, other bytes: refused, nothing changed.
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\t120\t", with: "\t121\t")
        let changed = try directory.write(text, to: Self.orfium)
        XCTAssertThrowsError(try loader.load(report([changed]))) { error in
            XCTAssertEqual((error as? DSRError)?.kind, .fileConflict, "\(error)")
        }
        XCTAssertEqual(try StoredDSRRows.postgres(database), before)
    }

    /// A load leaves its pages marked all-visible (VACUUM after the commit), so a statement run reads the lines
    /// from the ledger's covering index alone right away, instead of once autovacuum came by. The test server runs
    /// with `synchronous_commit = off`, where a VACUUM right after the commit could mark nothing: the load's own
    /// transaction commits synchronously.
    func testALoadLeavesItsLinesReadableFromTheIndexAlone() throws {
        let database = try makeDatabase()
        _ = try PostgresDSRReportLoader(database: database).load(try report(try golden(.seed2ThreeFiles).files))
        let pages = try database.withSession { session in
            try session.query("SELECT relpages::BIGINT AS pages, relallvisible::BIGINT AS visible FROM pg_class WHERE relname = 'dsr_usage_lines'")
                .first.map { (try $0.value("pages", in: "pg_class") as Int64, try $0.value("visible", in: "pg_class") as Int64) }
        }
        let (filled, visible) = try XCTUnwrap(pages)
        XCTAssertGreaterThan(filled, 0)
        XCTAssertEqual(visible, filled, "every page of the lines is all-visible")
    }

    /// Files 1 and 2 are copied before file 3's FOOT fails the report: nothing of it stays.
    func testAFailureMidReportLeavesNothingBehind() throws {
        let database = try makeDatabase()
        let (files, _) = try golden(.seed2ThreeFiles)
        var text = try String(contentsOf: files[2], encoding: .utf8)
        let footStart = try XCTUnwrap(text.range(of: "\nFOOT\t"))
        text.replaceSubrange(footStart.upperBound..<footStart.upperBound, with: "9")
        try text.write(to: files[2], atomically: true, encoding: .utf8)
        let before = try StoredDSRRows.postgres(database)
        XCTAssertThrowsError(try PostgresDSRReportLoader(database: database, linesPerChunk: 100).load(report(files))) { error in
            XCTAssertEqual((error as? DSRError)?.kind, .footMismatch, "\(error)")
            XCTAssertEqual((error as? DSRError)?.file, files[2].lastPathComponent)
        }
        XCTAssertEqual(try StoredDSRRows.postgres(database), before)
    }

    /// The server refuses a row half-way through a COPY (here a trigger): the copy, the reader thread and the
    /// transaction end, nothing stays, and the connection serves the next load.
    func testAServerErrorMidCopyRollsBackAndTheSameFilesLoadLater() throws {
        let database = try makeDatabase(poolSize: 1)
        let (files, _) = try golden(.seed42TwoFilesCRLFPadded)
        try server.psql("""
            CREATE FUNCTION fail_midway() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'disk full, say'; END $$;
            CREATE TRIGGER fail_midway BEFORE INSERT ON dsr_usage_lines FOR EACH ROW
                WHEN (NEW.file_number = 2 AND NEW.line_number > 100) EXECUTE FUNCTION fail_midway();
            """, database: database.settings.database)
        let before = try StoredDSRRows.postgres(database)
        XCTAssertThrowsError(try PostgresDSRReportLoader(database: database, linesPerChunk: 200).load(report(files))) { error in
            XCTAssertTrue("\(error)".contains("disk full, say"), "\(error)")
        }
        XCTAssertEqual(try StoredDSRRows.postgres(database), before)
        try server.psql("DROP TRIGGER fail_midway ON dsr_usage_lines", database: database.settings.database)
        XCTAssertEqual(try PostgresDSRReportLoader(database: database).load(report(files)).outcome, .loaded)
    }

    /// Two instances load the same report at the same time: one stores it, the other finds it stored.
    func testTwoLoadsOfOneReportAtOnceStoreItOnce() throws {
        let first = try makeDatabase()
        let second = try reopen(first)
        let files = try report(golden(.seed9TwoGzipFilesNegative).files)
        let lock = NSLock()
        nonisolated(unsafe) var results: [Result<DSRLoadResult, any Error>] = []
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = Result { try PostgresDSRReportLoader(database: index == 0 ? first : second, linesPerChunk: 500).load(files) }
            lock.withLock { results.append(result) }
        }
        let loaded = try results.map { try $0.get() }
        XCTAssertEqual(Set(loaded.map { "\($0.outcome)" }), ["loaded", "alreadyLoaded"])
        XCTAssertEqual(Set(loaded.map(\.reportId)).count, 1)
        XCTAssertEqual(try first.read { try $0.query("SELECT count(*) FROM dsr_reports")[0].first(Int64.self) }, 1)
        XCTAssertEqual(try first.read { try $0.query("SELECT count(*) FROM dsr_usage_lines")[0].first(Int64.self) },
                       Int64(loaded[0].usageLineCount))
    }

    /// A newer report for the same context supersedes the older, in either order, as on SQLite.
    func testNewerReportSupersedesOlderInEitherOrder() throws {
        let database = try makeDatabase()
        let loader = PostgresDSRReportLoader(database: database)
        let older = try golden(GoldenReport("layout-plain")).files
        let newer = try rewrite(older[0], created: ("20200703T075930", "20200710T120000"),
                                head: ("2020-07-03T07:59:30Z", "2020-07-10T12:00:00Z"), into: "new")
        let first = try loader.load(report(older))
        let second = try loader.load(report([newer]))
        XCTAssertEqual(second.outcome, .loaded)
        XCTAssertEqual(second.superseded, [first.reportId])
        let store = PostgresDSRReportStore(database: database)
        XCTAssertEqual(try store.report(id: first.reportId)?.state, .superseded)
        XCTAssertEqual(try store.report(id: first.reportId)?.supersededBy, second.reportId)
        let oldest = try rewrite(older[0], created: ("20200703T075930", "20200701T000000"),
                                 head: ("2020-07-03T07:59:30Z", "2020-07-01T00:00:00Z"), into: "oldest")
        let third = try loader.load(report([oldest]))
        XCTAssertEqual(third.outcome, .loadedSuperseded(by: second.reportId))
        XCTAssertEqual(try store.reports().filter { $0.state == .loaded }.map(\.id), [second.reportId])
        XCTAssertEqual(try store.reports().count, 3, "superseded reports stay")
    }

    private func rewrite(_ url: URL, created: (String, String), head: (String, String), into folder: String) throws -> URL {
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: head.0, with: head.1)
        let name = url.lastPathComponent.replacingOccurrences(of: created.0, with: created.1)
        return try directory.write(text, to: "\(folder)/\(name)")
    }
}
