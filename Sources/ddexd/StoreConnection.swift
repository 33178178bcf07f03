import DDEXConfig
import DDEXModel
import DSR
import Foundation
import Ledger
import Logging
import PostgresStore
import Store

/// The store the configuration names (`[store] kind`), opened for a command: SQLite in the spool's `state/` folder
/// (the default), or a PostgreSQL database shared with other instances. The one place that chooses the engine: a
/// command asks it for repositories, a report loader or the ledger, never for the engine itself.
struct StoreConnection {
    /// Every repository, whatever the engine.
    let repositories: StoreRepositories
    /// The SQLite store, when that is the engine.
    let sqlite: StoreDatabase?
    /// The PostgreSQL store, when that is the engine.
    let postgres: PostgresDatabase?
    /// Records a valid release in the accounting catalogue, in this store's engine.
    let catalogue: LedgerCatalog.Recorder
    /// Loads DSR reports into this store, reporting progress (`ingest-dsr`).
    let reportLoader: any DSRReportLoading
    /// Opens the ledger's reference data and inputs on this store (`import`, `statements`).
    private let openLedger: (Configuration) throws -> LedgerBackend

    /// Opens (creating or migrating as needed) the store of `configuration`. Throws a `StoreError` naming the file or
    /// the server: `STORE_OPEN`, `STORE_UNREACHABLE`, `STORE_AUTH`, `STORE_TLS`, `STORE_PASSWORD_FILE`,
    /// `STORE_MIGRATION`, `STORE_SCHEMA_TOO_NEW`, `STORE_SCHEMA_MISMATCH`. With `migrate: false` a PostgreSQL
    /// database is only read (a reporting command must not migrate what the daemons run on): one whose schema is
    /// not this ddexd's is refused.
    init(_ configuration: Configuration, logger: Logger, migrate: Bool = true) throws {
        switch configuration.store.kind {
        case .sqlite:
            try self.init(sqlite: configuration.spool.database)
        case .postgresql:
            guard let settings = configuration.store.postgresql else {
                throw StoreError(.misuse, message: "[store] kind = \"postgresql\" without its settings")
            }
            try self.init(postgres: settings, logger: logger, migrate: migrate)
        }
    }

    /// Opens (creating or migrating it, and its folder, as needed) the SQLite store at `path`: the spool's, or the
    /// file `ingest-dsr --database` names.
    init(sqlite path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let database = try StoreDatabase(path: path)
        repositories = StoreRepositories(sqlite: database)
        sqlite = database
        postgres = nil
        catalogue = LedgerCatalog.recorder(sqlite: database)
        reportLoader = DSRReportLoader(writer: database)
        openLedger = { configuration in
            // A connection of its own with a large page cache: a statement run scans every line of the period.
            let scanning = try Database(path: path, options: .scanning)
            return LedgerBackend(store: SQLiteLedgerStore(database: scanning),
                                 input: AnyLedgerInput(try SQLiteLedgerInput(database: scanning, configuration: configuration)))
        }
    }

    private init(postgres settings: PostgreSQLSettings, logger: Logger, migrate: Bool) throws {
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
        reportLoader = PostgresDSRReportLoader(database: database)
        openLedger = { configuration in
            LedgerBackend(store: PostgresLedgerStore(database: database),
                          input: AnyLedgerInput(PostgresLedgerInput(database: database, configuration: configuration)))
        }
    }

    /// True when other instances may work on this store at the same time (PostgreSQL): work is then shared through
    /// leases, not kept to one process by the spool lock.
    var isShared: Bool { postgres != nil }

    /// The ledger on this store: catalogue, splits, advances, rates and recoupment, and the loaded DSR reports.
    func ledger(_ configuration: Configuration) throws -> LedgerBackend { try openLedger(configuration) }

    /// Closes the connections to a PostgreSQL server (a SQLite store closes with its last reference).
    func close() { postgres?.close() }
}

/// Where the ledger's data lives, in the configured store: its reference data and recoupment (`store`) and the DSR
/// reports `ingest-dsr` loaded (`input`).
struct LedgerBackend {
    var store: any LedgerStore
    var input: AnyLedgerInput
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
