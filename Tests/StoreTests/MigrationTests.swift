import Foundation
import GRDB
import Store
import TestSupport
import XCTest

final class MigrationTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "store-migration") }
    override func tearDown() { directory = nil }

    var path: String { directory.url.appendingPathComponent("m.sqlite").path }

    let first = Migration(version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER);")
    let second = Migration(version: 2, name: "two", sql: "ALTER TABLE a ADD COLUMN z TEXT;")

    func applied() throws -> [String] {
        try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
    }

    func userVersion() throws -> Int {
        try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? -1 }
    }

    func testMigrationsApplyInOrderOnceByNameAndTrackUserVersion() throws {
        _ = try StoreDatabase(path: path, migrations: [first])
        XCTAssertEqual(try applied(), ["one"])
        let store = try StoreDatabase(path: path, migrations: [first, second])
        XCTAssertEqual(try applied(), ["one", "two"])
        XCTAssertEqual(try userVersion(), 2, "an older ddexd still reads the version")
        try store.write { try $0.execute(sql: "INSERT INTO a (x, z) VALUES (1, 'z')") }
        _ = try StoreDatabase(path: path, migrations: [first, second])
        XCTAssertEqual(try applied(), ["one", "two"], "reopening applies nothing")
    }

    func testAFailingMigrationRollsBackAloneAndKeepsTheVersion() throws {
        let broken = Migration(version: 2, name: "broken", sql: "CREATE TABLE c (v INTEGER); CREATE TABLE a (x INTEGER);")
        assertStoreError(.migration) { try StoreDatabase(path: path, migrations: [first, broken]) }
        do {
            _ = try StoreDatabase(path: path, migrations: [first, broken])
        } catch let error as StoreError {
            XCTAssertTrue(error.message.contains("'broken'"), error.message)
        }
        XCTAssertEqual(try applied(), ["one"])
        XCTAssertEqual(try userVersion(), 1)
        let tables = try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'c'") }
        XCTAssertEqual(tables, 0, "half a migration never stays")
    }

    func testNumberingAndNewerFilesAreRefused() throws {
        assertStoreError(.migration) { try StoreDatabase(path: path, migrations: [second]) }
        _ = try StoreDatabase(path: path, migrations: [first, second])
        assertStoreError(.schemaTooNew) { try StoreDatabase(path: path, migrations: [first]) }
    }

    func testTheProjectMigrationsApply() throws {
        let store = try StoreDatabase(path: path)
        XCTAssertEqual(try applied(), Migrations.all.map(\.name))
        XCTAssertEqual(try userVersion(), Migrations.all.count)
        XCTAssertEqual(try store.journalMode(), "wal")
        for table in ["dsr_reports", "dsr_report_files", "dsr_summaries", "dsr_releases", "dsr_resources", "dsr_usage_lines"] {
            let count = try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) }
            XCTAssertEqual(count, 1, table)
        }
    }

    /// A store made before GRDB (its version in `user_version` alone, here schema 4 with a delivery in it, made
    /// with the migrations' own SQL as the earlier ddexd ran it) upgrades in place, and from then on refuses a state
    /// that no state machine has.
    func testAStoreOfAnEarlierDDEXDUpgradesAndRefusesUnknownStates() throws {
        let old = try DatabaseQueue(path: path)
        try old.writeWithoutTransaction { db in
            for migration in Migrations.all.prefix(4) {
                try db.inTransaction {
                    try db.execute(sql: migration.sql)
                    try db.execute(sql: "PRAGMA user_version = \(migration.version)")
                    return .commit
                }
            }
            try db.execute(sql: "INSERT INTO packages (id, account, source, work_path, state, created_at, updated_at) VALUES ('p', 'a', 's', 'w', 'built', 't', 't')")
            try db.execute(sql: """
                INSERT INTO deliveries (package_id, dsp, release_id, kind, state, batch_id, message_id, bundle_path, remote_folder,
                                        created_at, updated_at)
                VALUES ('p', 'd', 'r', 'new-release', 'completed', 'b', 'm', 'x', 'b', 't', 't')
                """)
        }
        try old.close()
        let store = try StoreDatabase(path: path)
        XCTAssertEqual(try applied(), Migrations.all.map(\.name))
        XCTAssertEqual(try store.read { try String.fetchOne($0, sql: "SELECT state FROM deliveries") }, "completed")
        XCTAssertNil(try store.read { try Double.fetchOne($0, sql: "SELECT ack_checked_at FROM deliveries") })
        assertStoreError(.constraint) { try store.write { try $0.execute(sql: "UPDATE deliveries SET state = 'delivered'") } }
        assertStoreError(.constraint) { try store.write { try $0.execute(sql: "UPDATE packages SET state = 'valid-ish'") } }
        assertStoreError(.constraint) {
            try store.write {
                try $0.execute(sql: """
                    INSERT INTO deliveries (package_id, dsp, release_id, kind, state, batch_id, message_id, bundle_path, remote_folder,
                                            created_at, updated_at)
                    VALUES ('p', 'e', 'r', 'new-release', 'sent', 'b2', 'm2', 'x', 'b2', 't', 't')
                    """)
            }
        }
        try store.write { try $0.execute(sql: "UPDATE deliveries SET state = 'acknowledged'") }
    }

    /// A store written by the ddexd of before this change (`Fixtures/store/ddexd-schema6.sqlite`: `ingest-dsr` and
    /// `import` through the real binary, then a daemon run delivering the example release) opens and keeps its rows.
    func testTheCommittedStoreOfTheEarlierDDEXDOpens() throws {
        let fixture = RepositoryPaths.fixtures.appendingPathComponent("store/ddexd-schema6.sqlite")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: path)
        let store = try StoreDatabase(path: path)
        XCTAssertEqual(try applied(), Migrations.all.map(\.name))
        let reports = try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM dsr_reports WHERE state = 'loaded'") }
        XCTAssertEqual(reports, 1)
        let lines = try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM dsr_usage_lines") } ?? 0
        XCTAssertGreaterThan(lines, 0)
    }
}

/// A row that cannot be decoded is an error with a code, never a silent default.
final class StoreDecodeTests: XCTestCase {
    func testAPackageWhoseProblemsDoNotDecodeIsAnError() throws {
        let directory = try TemporaryDirectory(prefix: "store-decode")
        let database = try StoreDatabase(path: directory.path + "/s.sqlite")
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO packages (id, account, source, work_path, state, problems_json, created_at, updated_at)
                VALUES ('p', 'a', 's', 'w', 'valid', '{not json', 't', 't')
                """)
        }
        let store = PackageStore(database: database)
        XCTAssertThrowsError(try store.package("p")) { XCTAssertEqual(($0 as? StoreError)?.code, "STORE_DECODE", "\($0)") }
    }
}
