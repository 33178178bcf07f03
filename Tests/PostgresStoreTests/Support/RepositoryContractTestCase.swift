import DDEXConfig
import Foundation
import Harness
import PostgresStore
import Store
import TestSupport
import XCTest

/// An engine the repository contract tests run on.
enum StoreEngine: String, CaseIterable {
    case sqlite = "SQLite"
    case postgresql = "PostgreSQL"
}

/// The repositories of one fresh, empty store of one engine, which they keep open (and its folder) while a test uses
/// them.
struct Repositories {
    let packages: any PackageRepository
    let messageIds: any MessageIdRepository
    let deliveries: any DeliveryRepository
    let acks: any AcknowledgementRepository
    let cluster: any ClusterRepository
    /// The store and its folder, closed and removed when the test lets go of them.
    let resources: [AnyObject]
}

/// A test case whose tests state the repositories' contract once and check it on both engines: each test runs its
/// body on a fresh SQLite store (a temporary file) and on a fresh PostgreSQL database of one throw-away server that
/// the class starts once (a database per test keeps the suite fast). A failure names the engine it happened on.
class RepositoryContractTestCase: XCTestCase {
    /// The class's server. XCTest runs a class's tests one after another on one thread, between its class
    /// `setUp` and `tearDown`, so nothing else touches it.
    nonisolated(unsafe) private static var servers: [ObjectIdentifier: Result<PostgresServer, any Error>] = [:]
    private var currentEngine: StoreEngine?

    override class func setUp() {
        super.setUp()
        servers[ObjectIdentifier(self)] = Result { try PostgresServer() }
    }

    /// Stops the server and removes its cluster (its `deinit`).
    override class func tearDown() {
        servers[ObjectIdentifier(self)] = nil
        super.tearDown()
    }

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int,
                                expected: Bool)
    {
        let engine = currentEngine.map { "[\($0.rawValue)] " } ?? ""
        super.recordFailure(withDescription: engine + description, inFile: filePath, atLine: lineNumber, expected: expected)
    }

    /// Runs `body` once per engine, each time on a fresh store; an error it throws fails the test.
    func onEachEngine(file: StaticString = #filePath, line: UInt = #line, _ body: (Repositories) throws -> Void) {
        for engine in StoreEngine.allCases {
            currentEngine = engine
            defer { currentEngine = nil }
            do {
                try body(try makeRepositories(engine))
            } catch {
                XCTFail("\(error)", file: file, line: line)
            }
        }
    }

    /// A fresh store of `engine`.
    func makeRepositories(_ engine: StoreEngine) throws -> Repositories {
        switch engine {
        case .sqlite:
            let directory = try TemporaryDirectory(prefix: "repository-contract")
            let database = try StoreDatabase(path: directory.path + "/ddexd.sqlite")
            return Repositories(packages: PackageStore(database: database),
                                messageIds: MessageIdStore(database: database), deliveries: DeliveryStore(database: database),
                                acks: AcknowledgementStore(database: database), cluster: ClusterStore(database: database),
                                resources: [database, directory])
        case .postgresql:
            let database = try makePostgresDatabase(name: try createPostgresDatabase())
            return Repositories(packages: PostgresPackageStore(database: database),
                                messageIds: PostgresMessageIdStore(database: database),
                                deliveries: PostgresDeliveryStore(database: database),
                                acks: PostgresAcknowledgementStore(database: database),
                                cluster: PostgresClusterStore(database: database), resources: [database])
        }
    }

    /// A new, empty database on the class's server; returns its name.
    func createPostgresDatabase() throws -> String {
        let name = "contract_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try server().createDatabase(name)
        return name
    }

    /// A connection pool to database `name` of the class's server (migrated on first use), as one ddexd instance
    /// has; two of them on one database are two instances.
    func makePostgresDatabase(name: String) throws -> PostgresDatabase {
        try PostgresDatabase(settings: postgresSettings(name: name))
    }

    /// How ddexd connects to database `name` of the class's server.
    func postgresSettings(name: String) throws -> PostgreSQLSettings {
        let server = try server()
        return PostgreSQLSettings(host: server.host, port: server.port, user: server.user, database: name,
                                  passwordFile: server.passwordFile, poolSize: 4, tls: .disable)
    }

    /// SQL as the server's superuser on database `name` (psql's unaligned output).
    @discardableResult
    func superuserSQL(_ sql: String, database name: String) throws -> String {
        try server().psql(sql, database: name).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func server() throws -> PostgresServer {
        guard let server = Self.servers[ObjectIdentifier(type(of: self))] else {
            throw StoreError(.misuse, message: "the class's PostgreSQL server was not started (class setUp)")
        }
        return try server.get()
    }
}
