/// One numbered schema change, registered by its name with GRDB's `DatabaseMigrator` (`StoreMigrator`): its SQL
/// runs in one transaction together with the update of `PRAGMA user_version`, so a store is always at exactly one
/// version.
///
/// Each subsystem writes its migrations in its own file as `extension Migration { static let … }`
/// (`Migration+DSRReports.swift`, `Migration+Deliveries.swift`, …) and appends them, in order, to `Migrations.all`.
/// Released migrations never change, nor their names: alter a table with a new migration.
public struct Migration: Sendable {
    /// Position in `Migrations.all`: 1, 2, 3, … without gaps.
    public var version: Int32
    /// The migration's identifier in `grdb_migrations`, e.g. `dsr-reports`.
    public var name: String
    /// One or more SQL statements.
    public var sql: String

    public init(version: Int32, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension Database {
    /// Opens the store at `path` through `StoreDatabase` (which applies every pending migration), then a connection
    /// of this wrapper on it, for the code that still speaks the wrapper.
    public static func openMigrated(path: String, options: Options = Options(),
                                    migrations: [Migration] = Migrations.all) throws -> Database {
        _ = try StoreDatabase(path: path, migrations: migrations)
        return try Database(path: path, options: options)
    }
}
