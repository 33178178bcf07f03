import DDEXConfig
import Foundation
import PostgresStore
import Store
import TestSupport
import XCTest

/// The two engines of the store, fresh for each test: a SQLite file in a temporary folder, and a new database on
/// the test class's throw-away PostgreSQL server. Contract tests run every check on both.
class StoreEngineTestCase: XCTestCase {
    /// One PostgreSQL server per test class, started with the class's first test and stopped after its last.
    nonisolated(unsafe) private static var servers: [ObjectIdentifier: PostgresServer] = [:]
    private var directories: [TemporaryDirectory] = []
    private var databases: [PostgresDatabase] = []

    /// This class's server, started on first use.
    var postgresServer: PostgresServer {
        get throws {
            let key = ObjectIdentifier(type(of: self))
            if let server = Self.servers[key] { return server }
            let server = try PostgresServer()
            Self.servers[key] = server
            return server
        }
    }

    override class func tearDown() {
        servers[ObjectIdentifier(self)] = nil
        super.tearDown()
    }

    override func tearDown() {
        for database in databases { database.close() }
        databases = []
        directories = []
        super.tearDown()
    }

    /// A fresh SQLite store.
    func makeSQLiteStore() throws -> StoreDatabase {
        let directory = try TemporaryDirectory(prefix: "store-engine")
        directories.append(directory)
        return try StoreDatabase(path: directory.path + "/ddexd.sqlite")
    }

    /// Settings for a new, empty database on this class's server.
    func makePostgresSettings(poolSize: Int = 4) throws -> PostgreSQLSettings {
        let server = try postgresServer
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        _ = try server.createDatabase(String(name))
        return PostgreSQLSettings(host: server.host, port: server.port, user: server.user, database: String(name),
                                  passwordFile: server.passwordFile, poolSize: poolSize, tls: .disable)
    }

    /// A fresh PostgreSQL store, migrated (or at no version with `migrations: nil`).
    func makePostgresStore(settings: PostgreSQLSettings? = nil, migrations: [Migration]? = PostgresMigrations.all) throws -> PostgresDatabase {
        let database = try PostgresDatabase(settings: settings ?? makePostgresSettings(), migrate: migrations)
        databases.append(database)
        return database
    }

    /// The same repository on each engine, fresh, named for failure messages.
    func bothEngines<Repository>(sqlite: (StoreDatabase) -> Repository,
                                 postgres: (PostgresDatabase) -> Repository) throws -> [(engine: String, repository: Repository)]
    {
        [("SQLite", sqlite(try makeSQLiteStore())), ("PostgreSQL", postgres(try makePostgresStore()))]
    }
}
