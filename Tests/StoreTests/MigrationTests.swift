import Foundation
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

    func testMigrationsApplyInOrderOnceAndTrackUserVersion() throws {
        let db = try Database(path: path)
        XCTAssertEqual(try Migrator.currentVersion(of: db), 0)
        XCTAssertEqual(try Migrator.migrate(db, to: [first]), [1])
        XCTAssertEqual(try Migrator.migrate(db, to: [first, second]), [2])
        XCTAssertEqual(try Migrator.migrate(db, to: [first, second]), [])
        XCTAssertEqual(try Migrator.currentVersion(of: db), 2)
        try db.run("INSERT INTO a (x, z) VALUES (1, 'z')")
    }

    func testAFailingMigrationRollsBackAloneAndKeepsTheVersion() throws {
        let db = try Database(path: path)
        let broken = Migration(version: 2, name: "broken", sql: "CREATE TABLE c (v INTEGER); CREATE TABLE a (x INTEGER);")
        do {
            try Migrator.migrate(db, to: [first, broken])
            XCTFail("a failing migration passed")
        } catch let error as StoreError {
            XCTAssertEqual(error.kind, .migration)
            XCTAssertTrue(error.message.contains("'broken'"), error.message)
        }
        XCTAssertEqual(try Migrator.currentVersion(of: db), 1)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'c'"), 0, "half a migration never stays")
    }

    func testNumberingAndNewerFilesAreRefused() throws {
        let db = try Database(path: path)
        assertStoreError(.migration) { try Migrator.migrate(db, to: [second]) }
        try Migrator.migrate(db, to: [first, second])
        assertStoreError(.schemaTooNew) { try Migrator.migrate(db, to: [first]) }
    }

    func testTheProjectMigrationsApply() throws {
        let db = try Database.openMigrated(path: path)
        XCTAssertEqual(try Migrator.currentVersion(of: db), Int32(Migrations.all.count))
        for table in ["dsr_reports", "dsr_report_files", "dsr_summaries", "dsr_releases", "dsr_resources", "dsr_usage_lines"] {
            XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", .text(table)), 1, table)
        }
        // Reopening applies nothing.
        XCTAssertEqual(try Migrator.migrate(Database(path: path)), [])
    }

    /// A store made by an earlier ddexd (schema 4, with a delivery in it) upgrades in place, and from then on
    /// refuses a state that no state machine has.
    func testAnExistingStoreUpgradesAndRefusesUnknownStates() throws {
        let old = try Database(path: path)
        try Migrator.migrate(old, to: Array(Migrations.all.prefix(4)))
        try old.run("INSERT INTO packages (id, account, source, work_path, state, created_at, updated_at) VALUES ('p', 'a', 's', 'w', 'built', 't', 't')")
        try old.run("""
            INSERT INTO deliveries (package_id, dsp, release_id, kind, state, batch_id, message_id, bundle_path, remote_folder,
                                    created_at, updated_at)
            VALUES ('p', 'd', 'r', 'new-release', 'completed', 'b', 'm', 'x', 'b', 't', 't')
            """)
        old.close()
        let db = try Database.openMigrated(path: path)
        XCTAssertEqual(try Migrator.currentVersion(of: db), Int32(Migrations.all.count))
        XCTAssertEqual(try db.scalarText("SELECT state FROM deliveries"), "completed")
        XCTAssertNil(try db.scalarInt("SELECT ack_checked_at FROM deliveries"))
        assertStoreError(.constraint) { try db.run("UPDATE deliveries SET state = 'delivered'") }
        assertStoreError(.constraint) { try db.run("UPDATE packages SET state = 'valid-ish'") }
        assertStoreError(.constraint) {
            try db.run("""
                INSERT INTO deliveries (package_id, dsp, release_id, kind, state, batch_id, message_id, bundle_path, remote_folder,
                                        created_at, updated_at)
                VALUES ('p', 'e', 'r', 'new-release', 'sent', 'b2', 'm2', 'x', 'b2', 't', 't')
                """)
        }
        try db.run("UPDATE deliveries SET state = 'acknowledged'")
    }
}

/// A row that cannot be decoded is an error with a code, never a silent default.
final class StoreDecodeTests: XCTestCase {
    func testAPackageWhoseProblemsDoNotDecodeIsAnError() throws {
        let directory = try TemporaryDirectory(prefix: "store-decode")
        let db = try Database.openMigrated(path: directory.path + "/s.sqlite")
        try db.run("""
            INSERT INTO packages (id, account, source, work_path, state, problems_json, created_at, updated_at)
            VALUES ('p', 'a', 's', 'w', 'valid', '{not json', 't', 't')
            """)
        let store = PackageStore(database: SharedDatabase(db))
        XCTAssertThrowsError(try store.package("p")) { XCTAssertEqual(($0 as? StoreError)?.code, "STORE_DECODE", "\($0)") }
    }
}
