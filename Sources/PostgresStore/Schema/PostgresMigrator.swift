import Store

/// Applies the PostgreSQL migrations (`PostgresMigrations.all`): each once, in order, in its own transaction,
/// recorded by version and name in `ddexd_migrations`, under a PostgreSQL advisory lock so that instances starting
/// together migrate one after another (the second finds nothing left to do).
///
/// A database with a version this ddexd does not know is refused (`STORE_SCHEMA_TOO_NEW`: a newer ddexd migrated
/// it); one whose recorded names differ from ours is refused too (`STORE_SCHEMA_MISMATCH`: not a ddexd database,
/// or one changed by hand). A failed migration is rolled back (`STORE_MIGRATION`); earlier ones stay.
struct PostgresMigrator {
    /// The advisory lock's key (the bytes of "ddexd-mg"): one key for every ddexd database on a server, which is
    /// harmless (migrations are rare and short).
    static let lockKey: Int64 = 0x6464_6578_642D_6D67

    let migrations: [Migration]

    /// Where a database stands: the versions applied and the newest this ddexd knows.
    struct Status: Sendable, Equatable {
        var applied: Int
        var known: Int
    }

    func migrate(_ database: PostgresDatabase) throws(StoreError) {
        for (offset, migration) in migrations.enumerated() where migration.version != Int32(offset + 1) {
            throw StoreError(.migration, message: "migration '\(migration.name)' has version \(migration.version), expected \(offset + 1): versions must run 1...n without gaps")
        }
        try StoreError.rethrowing {
            try database.withSession { session in
                try session.execute("SELECT pg_advisory_lock($1)", [Self.lockKey])
                defer { _ = try? session.execute("SELECT pg_advisory_unlock($1)", [Self.lockKey]) }
                try session.script("""
                    CREATE TABLE IF NOT EXISTS ddexd_migrations (
                        version    INTEGER PRIMARY KEY,
                        name       TEXT NOT NULL,
                        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                    """)
                let applied = try check(session, url: database.settings.url)
                for migration in migrations.dropFirst(applied) {
                    try apply(migration, session)
                    database.logger.notice("store migrated", metadata: [
                        "version": "\(migration.version)", "migration": "\(migration.name)",
                    ])
                }
            }
        }
    }

    /// The number of migrations applied, after checking they are ours.
    private func check(_ session: PostgresSession, url: String) throws(StoreError) -> Int {
        let rows = try session.query("SELECT version, name FROM ddexd_migrations ORDER BY version")
        for (offset, row) in rows.enumerated() {
            let version: Int32 = try row.value("version", in: "ddexd_migrations")
            let name: String = try row.value("name", in: "ddexd_migrations")
            guard version <= Int32(migrations.count) else {
                throw StoreError(.schemaTooNew, message: "\(url) has schema version \(version), but this ddexd knows only up to \(migrations.count); use a newer ddexd")
            }
            guard version == Int32(offset + 1), migrations[offset].name == name else {
                throw StoreError(.schemaMismatch, message: "\(url): migration \(version) is recorded as '\(name)', which this ddexd does not know at that place (expected \(offset + 1) '\(migrations[min(offset, migrations.count - 1)].name)'); is this a ddexd database?")
            }
        }
        return rows.count
    }

    private func apply(_ migration: Migration, _ session: PostgresSession) throws(StoreError) {
        do {
            try session.execute("BEGIN")
            try session.script(migration.sql)
            try session.execute("INSERT INTO ddexd_migrations (version, name) VALUES ($1, $2)",
                                [Int64(migration.version), migration.name])
            try session.execute("COMMIT")
        } catch {
            _ = try? session.execute("ROLLBACK")
            throw StoreError(.migration, message: "migration \(migration.version) '\(migration.name)' failed: \(error.message)",
                             sql: error.sql, sqlState: error.sqlState)
        }
    }

    /// Reads where `database` stands without changing it (`ddexd check-config`); throws `STORE_SCHEMA_TOO_NEW` or
    /// `STORE_SCHEMA_MISMATCH` as a migration would.
    static func status(of database: PostgresDatabase, migrations: [Migration]) throws(StoreError) -> Status {
        try StoreError.rethrowing {
            try database.read { session in
                let exists = try session.query("SELECT to_regclass('ddexd_migrations') IS NOT NULL AS present")
                guard let present: Bool = try exists.first?.value("present", in: "pg_catalog"), present else {
                    return Status(applied: 0, known: migrations.count)
                }
                let applied = try PostgresMigrator(migrations: migrations).check(session, url: database.settings.url)
                return Status(applied: applied, known: migrations.count)
            }
        }
    }
}

extension PostgresDatabase {
    /// The number of migrations applied to the database and the number this ddexd knows, read without changing
    /// anything; throws `STORE_SCHEMA_TOO_NEW` or `STORE_SCHEMA_MISMATCH` when ddexd could not migrate it.
    public func schemaVersion(migrations: [Migration] = PostgresMigrations.all) throws(StoreError) -> (applied: Int, known: Int) {
        let status = try PostgresMigrator.status(of: self, migrations: migrations)
        return (status.applied, status.known)
    }
}

extension StoreError {
    /// Runs `body`, whose errors are `StoreError`s (the database's closures are untyped): any other error is
    /// `STORE_MISUSE`, which would be a bug of ddexd's.
    static func rethrowing<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.misuse, message: "\(error)")
        }
    }
}
