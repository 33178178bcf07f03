import DDEXConfig
import DDEXModel
import Foundation
import Ledger
import Logging
import PostgresStore
import Store

/// The store the configuration names (`[store] kind`), opened for a command: SQLite in the spool's `state/` folder
/// (the default), or a PostgreSQL database shared with other instances.
struct StoreConnection {
    /// Every repository, whatever the engine.
    let repositories: StoreRepositories
    /// The SQLite store, when that is the engine.
    let sqlite: StoreDatabase?
    /// The PostgreSQL store, when that is the engine.
    let postgres: PostgresDatabase?
    /// Records a valid release in the accounting catalogue, in this store's engine.
    let catalogue: LedgerCatalog.Recorder

    /// Opens (creating or migrating as needed) the store of `configuration`. Throws a `StoreError` naming the file or
    /// the server: `STORE_OPEN`, `STORE_UNREACHABLE`, `STORE_AUTH`, `STORE_TLS`, `STORE_PASSWORD_FILE`,
    /// `STORE_MIGRATION`, `STORE_SCHEMA_TOO_NEW`, `STORE_SCHEMA_MISMATCH`. With `migrate: false` a PostgreSQL
    /// database is only read (a reporting command must not migrate what the daemons run on): one whose schema is
    /// not this ddexd's is refused.
    init(_ configuration: Configuration, logger: Logger, migrate: Bool = true) throws {
        switch configuration.store.kind {
        case .sqlite:
            let database = try StoreDatabase(path: configuration.spool.database)
            repositories = StoreRepositories(sqlite: database)
            sqlite = database
            postgres = nil
            catalogue = LedgerCatalog.recorder(sqlite: database)
        case .postgresql:
            guard let settings = configuration.store.postgresql else {
                throw StoreError(.misuse, message: "[store] kind = \"postgresql\" without its settings")
            }
            let database = try PostgresDatabase(settings: settings, logger: logger, migrate: migrate ? PostgresMigrations.all : nil)
            if !migrate {
                let (applied, known) = try database.schemaVersion()
                guard applied == known else {
                    database.close()
                    throw StoreError(.schemaMismatch, message: "\(settings.url) is at schema version \(applied), this ddexd at \(known): start a daemon to migrate it")
                }
            }
            repositories = StoreRepositories(postgres: database)
            sqlite = nil
            postgres = database
            catalogue = LedgerCatalog.recorder(postgres: database)
        }
    }

    /// Closes the connections to a PostgreSQL server (a SQLite store closes with its last reference).
    func close() { postgres?.close() }

}

/// What `ddexd check-config` says of the store: for PostgreSQL, whether it answers and at which schema version.
struct StoreCheck: Encodable {
    struct Failure: Encodable {
        var code: String
        var message: String
    }

    var kind: String
    /// The server and database (never a password); nil for SQLite.
    var url: String?
    /// Migrations applied to the database, and the number this ddexd knows (it applies the rest at start).
    var schemaVersion: Int?
    var knownVersion: Int?
    var error: Failure?

    /// Checks `configuration`'s store without changing it: SQLite is only named (it is opened, and created if need
    /// be, at start); PostgreSQL is connected to and its schema version read.
    init(_ configuration: Configuration) {
        kind = configuration.store.kind.rawValue
        guard configuration.store.kind == .postgresql, let settings = configuration.store.postgresql else { return }
        url = settings.url
        do {
            let database = try PostgresDatabase(settings: settings, logger: Logger(label: "ddexd.check"), migrate: nil)
            defer { database.close() }
            let (applied, known) = try database.schemaVersion()
            (schemaVersion, knownVersion) = (applied, known)
        } catch {
            self.error = Failure(code: error.code, message: error.description)
        }
    }

    /// One line for the text report.
    var line: String {
        guard let url else { return "store: sqlite (the spool's state/ddexd.sqlite)" }
        if let error { return "store: postgresql \(url): \(error.message)" }
        let pending = (knownVersion ?? 0) - (schemaVersion ?? 0)
        return "store: postgresql \(url): reachable, schema version \(schemaVersion ?? 0) of \(knownVersion ?? 0)"
            + (pending > 0 ? " (\(pending) migration(s) applied at start)" : "")
    }
}
