import DDEXRuntime
import Foundation
import PostgresStore
import Store
import XCTest

/// The PostgreSQL schema's migrations: the same versions and names as SQLite's, applied once each, in order, under
/// an advisory lock (instances starting together migrate once), from an empty database or one of an earlier ddexd;
/// a newer or foreign schema refused with its code, a failing migration rolled back alone.
final class PostgresMigrationTests: RepositoryContractTestCase {
    func testBothEnginesHaveTheSameMigrationsByVersionAndName() {
        XCTAssertEqual(PostgresMigrations.all.map(\.version), Migrations.all.map(\.version))
        XCTAssertEqual(PostgresMigrations.all.map(\.name), Migrations.all.map(\.name))
    }

    func testAnEmptyDatabaseIsMigratedAndReadingItChangesNothing() throws {
        let name = try createPostgresDatabase()
        let reader = try PostgresDatabase(settings: postgresSettings(name: name), migrate: nil)
        defer { reader.close() }
        let before = try reader.schemaVersion()
        XCTAssertEqual(before.applied, 0)
        XCTAssertEqual(before.known, PostgresMigrations.all.count)
        XCTAssertEqual(try superuserSQL("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database: name), "0",
                       "check-config's reading creates nothing")
        let database = try makePostgresDatabase(name: name)
        defer { database.close() }
        let after = try database.schemaVersion()
        XCTAssertEqual(after.applied, PostgresMigrations.all.count)
        XCTAssertEqual(try superuserSQL("SELECT string_agg(name, ',' ORDER BY version) FROM ddexd_migrations", database: name),
                       PostgresMigrations.all.map(\.name).joined(separator: ","))
    }

    func testADatabaseOfAnEarlierDDEXDUpgradesInPlaceAndKeepsItsRows() throws {
        let name = try createPostgresDatabase()
        let earlier = try PostgresDatabase(settings: postgresSettings(name: name), migrate: Array(PostgresMigrations.all.prefix(5)))
        try earlier.write { session in
            _ = try session.execute("""
                INSERT INTO packages (id, account, source, work_path, state, created_at, updated_at)
                VALUES ('p1', 'label', 'in', 'work', 'received', 't', 't')
                """)
        }
        earlier.close()
        XCTAssertEqual(try superuserSQL("SELECT max(version) FROM ddexd_migrations", database: name), "5")
        let database = try makePostgresDatabase(name: name)
        defer { database.close() }
        XCTAssertEqual(try database.schemaVersion().applied, PostgresMigrations.all.count)
        XCTAssertEqual(try PostgresPackageStore(database: database).package("p1")?.state, .received, "the row survived")
        XCTAssertThrowsError(try database.write { session in
            _ = try session.execute("UPDATE packages SET state = 'nonsense' WHERE id = 'p1'")
        }) { XCTAssertEqual(($0 as? StoreError)?.code, "STORE_CONSTRAINT", "migration 6's rule holds on the old row's table") }
        XCTAssertNotNil(try PostgresClusterStore(database: database).acquire("x", holder: "a", now: 1, duration: 1), "migration 8's tables")
    }

    func testANewerOrForeignSchemaIsRefusedWithItsCode() throws {
        let newer = try createPostgresDatabase()
        try makePostgresDatabase(name: newer).close()
        try superuserSQL("INSERT INTO ddexd_migrations (version, name) VALUES (\(PostgresMigrations.all.count + 1), 'from-the-future')",
                         database: newer)
        XCTAssertThrowsError(try makePostgresDatabase(name: newer)) { XCTAssertEqual(($0 as? StoreError)?.code, "STORE_SCHEMA_TOO_NEW") }

        let foreign = try createPostgresDatabase()
        try superuserSQL("""
            CREATE TABLE ddexd_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
            INSERT INTO ddexd_migrations (version, name) VALUES (1, 'somebody-elses');
            GRANT ALL ON ddexd_migrations TO ddexd;
            """, database: foreign)
        XCTAssertThrowsError(try makePostgresDatabase(name: foreign)) { XCTAssertEqual(($0 as? StoreError)?.code, "STORE_SCHEMA_MISMATCH") }
    }

    func testAFailingMigrationIsRolledBackAloneAndTheEarlierOnesStay() throws {
        let name = try createPostgresDatabase()
        let broken = Array(PostgresMigrations.all.prefix(2))
            + [Migration(version: 3, name: "broken", sql: "CREATE TABLE half_made (x INTEGER); SELECT no_such_function()")]
        XCTAssertThrowsError(try PostgresDatabase(settings: postgresSettings(name: name), migrate: broken)) { error in
            XCTAssertEqual((error as? StoreError)?.code, "STORE_MIGRATION")
            XCTAssertTrue("\(error)".contains("broken"), "\(error)")
        }
        XCTAssertEqual(try superuserSQL("SELECT max(version) FROM ddexd_migrations", database: name), "2")
        XCTAssertEqual(try superuserSQL("SELECT count(*) FROM pg_tables WHERE tablename = 'half_made'", database: name), "0")
    }

    func testInstancesStartingTogetherMigrateOnce() throws {
        let name = try createPostgresDatabase()
        let settings = try postgresSettings(name: name)
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                try PostgresDatabase(settings: settings).close()
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.current, [])
        XCTAssertEqual(try superuserSQL("SELECT count(*) FROM ddexd_migrations", database: name), "\(PostgresMigrations.all.count)")
    }
}
