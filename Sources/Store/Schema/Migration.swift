/// One numbered schema change. Its SQL runs in one transaction together with the update of
/// `PRAGMA user_version`, so a database is always at exactly one version.
///
/// Each subsystem writes its migrations in its own file as `extension Migration { static let … }`
/// (`Migration+DSRReports.swift`, later `Migration+Deliveries.swift`, …) and appends them, in order, to
/// `Migrations.all`. Released migrations never change: alter a table with a new migration.
public struct Migration: Sendable {
    /// Position in `Migrations.all`: 1, 2, 3, … without gaps.
    public var version: Int32
    /// A short name for logs and errors, e.g. `dsr-reports`.
    public var name: String
    /// One or more SQL statements.
    public var sql: String

    public init(version: Int32, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies migrations to a database, tracked in `PRAGMA user_version`.
public enum Migrator {
    /// Brings `database` up to the last of `migrations`; returns the versions it applied.
    ///
    /// Fails with `STORE_MIGRATION` when the list is not numbered 1...n, when a script fails (that
    /// migration is rolled back, earlier ones stay), and with `STORE_SCHEMA_TOO_NEW` when the file was
    /// written by a newer ddexd (a version beyond the list).
    @discardableResult
    public static func migrate(_ database: Database, to migrations: [Migration] = Migrations.all) throws -> [Int32] {
        for (offset, migration) in migrations.enumerated() where migration.version != Int32(offset + 1) {
            throw StoreError(.migration, message: "migration '\(migration.name)' has version \(migration.version), expected \(offset + 1): versions must run 1...n without gaps")
        }
        let current = try currentVersion(of: database)
        let latest = Int32(migrations.count)
        guard current <= latest else {
            throw StoreError(.schemaTooNew, message: "\(database.path) has schema version \(current), but this ddexd knows only up to \(latest); use a newer ddexd")
        }
        var applied: [Int32] = []
        for migration in migrations where migration.version > current {
            do {
                try database.transaction {
                    try database.execute(migration.sql)
                    try database.execute("PRAGMA user_version = \(migration.version)")
                }
            } catch let error as StoreError {
                throw StoreError(.migration, sqliteCode: error.sqliteCode,
                                 message: "migration \(migration.version) '\(migration.name)' failed: \(error.message)",
                                 sql: error.sql)
            }
            applied.append(migration.version)
        }
        return applied
    }

    /// `PRAGMA user_version`: the last migration applied (0 for a new file).
    public static func currentVersion(of database: Database) throws(StoreError) -> Int32 {
        Int32(truncatingIfNeeded: try database.scalarInt("PRAGMA user_version") ?? 0)
    }
}

extension Database {
    /// Opens the database at `path` and applies every pending migration.
    public static func openMigrated(path: String, options: Options = Options(),
                                    migrations: [Migration] = Migrations.all) throws -> Database {
        let database = try Database(path: path, options: options)
        try Migrator.migrate(database, to: migrations)
        return database
    }
}
