import GRDB

/// Applies `Migrations.all` with GRDB's `DatabaseMigrator`: each migration once, in order, in its own transaction,
/// recorded by name in `grdb_migrations`.
///
/// Stores made before GRDB tracked their version in `PRAGMA user_version` alone. Each migration still sets it (so
/// an older ddexd refuses a newer file, `STORE_SCHEMA_TOO_NEW`), and a store that has a version but no
/// `grdb_migrations` table has its first `user_version` migrations recorded as applied before the migrator runs:
/// the migrations keep their numbers, names and SQL, so such a store upgrades in place.
struct StoreMigrator {
    let migrations: [Migration]

    func migrate(_ writer: some GRDB.DatabaseWriter, path: String) throws(StoreError) {
        for (offset, migration) in migrations.enumerated() where migration.version != Int32(offset + 1) {
            throw StoreError(.migration, message: "migration '\(migration.name)' has version \(migration.version), expected \(offset + 1): versions must run 1...n without gaps")
        }
        let migrator = makeMigrator()
        do {
            try prepare(writer, migrator: migrator, path: path)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.migration, message: "\(path): \(StoreError.message(of: error))")
        }
        do {
            try migrator.migrate(writer)
        } catch {
            let failed = (try? writer.read { db in try migrator.appliedIdentifiers(db) })
                .map { applied in migrations.first { !applied.contains($0.name) } } ?? nil
            let name = failed.map { "\($0.version) '\($0.name)'" } ?? "?"
            throw StoreError(.migration, sqliteCode: (error as? DatabaseError)?.extendedResultCode.rawValue ?? 0,
                             message: "migration \(name) failed: \(StoreError.message(of: error))",
                             sql: (error as? DatabaseError)?.sql)
        }
    }

    /// Refuses a store of a newer ddexd, and records the migrations a store of before GRDB has applied.
    private func prepare(_ writer: some GRDB.DatabaseWriter, migrator: DatabaseMigrator, path: String) throws {
        try StoreError.mapping {
            try writer.writeWithoutTransaction { db in
                let version = try Int32(Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0)
                guard version <= Int32(migrations.count) else {
                    throw StoreError(.schemaTooNew, message: "\(path) has schema version \(version), but this ddexd knows only up to \(migrations.count); use a newer ddexd")
                }
                try adoptUserVersion(version, db)
                if try migrator.hasBeenSuperseded(db) {
                    throw StoreError(.schemaTooNew, message: "\(path) has migrations this ddexd does not know; use a newer ddexd")
                }
            }
        }
    }

    /// The migrator: one GRDB migration per `Migration`, named after it, run with foreign keys on (as they always
    /// ran), which also sets `user_version`.
    func makeMigrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.name, foreignKeyChecks: .immediate) { db in
                try db.execute(sql: migration.sql)
                try db.execute(sql: "PRAGMA user_version = \(migration.version)")
            }
        }
        return migrator
    }

    /// Records the first `version` migrations as applied in a store that predates `grdb_migrations`.
    private func adoptUserVersion(_ version: Int32, _ db: GRDB.Database) throws {
        guard version > 0, try !db.tableExists("grdb_migrations") else { return }
        try db.inTransaction(.immediate) {
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            for migration in migrations.prefix(Int(version)) {
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.name])
            }
            return .commit
        }
    }
}
