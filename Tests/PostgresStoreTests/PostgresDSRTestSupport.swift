import DDEXConfig
import DSR
import Foundation
import Harness
import PostgresStore
import Store
import TestSupport
import XCTest

/// A test class with a throw-away PostgreSQL server of its own (started by its first test, stopped after its last)
/// and a fresh migrated database per test. PostgreSQL missing is a failure, never a skip.
class PostgresStoreTestCase: XCTestCase {
    private nonisolated(unsafe) static var servers: [ObjectIdentifier: PostgresServer] = [:]
    private nonisolated(unsafe) static var databaseCount = 0
    var server: PostgresServer!
    var directory: TemporaryDirectory!
    private var opened: [PostgresDatabase] = []

    override func setUpWithError() throws {
        let key = ObjectIdentifier(Self.self)
        if Self.servers[key] == nil { Self.servers[key] = try PostgresServer() }
        server = Self.servers[key]
        directory = try TemporaryDirectory(prefix: "postgres-store")
    }

    override func tearDown() {
        for database in opened { database.close() }
        opened = []
        server = nil
        directory = nil
        super.tearDown()
    }

    override class func tearDown() {
        servers[ObjectIdentifier(self)] = nil
        super.tearDown()
    }

    /// A new database of the test's server, migrated, and its settings.
    func makeDatabase(poolSize: Int = 4) throws -> PostgresDatabase {
        Self.databaseCount += 1
        let name = "test_\(Self.databaseCount)"
        try server.createDatabase(name)
        let database = try PostgresDatabase(settings: settings(database: name, poolSize: poolSize))
        opened.append(database)
        return database
    }

    /// Another connection pool to a database `makeDatabase` made.
    func reopen(_ database: PostgresDatabase, poolSize: Int = 4) throws -> PostgresDatabase {
        let other = try PostgresDatabase(settings: settings(database: database.settings.database, poolSize: poolSize))
        opened.append(other)
        return other
    }

    func settings(database: String, poolSize: Int) -> PostgreSQLSettings {
        PostgreSQLSettings(host: server.host, port: server.port, user: server.user, database: database,
                           passwordFile: server.passwordFile, poolSize: poolSize, tls: .disable)
    }

    /// A fresh SQLite store in the test's folder.
    func makeSQLiteStore(_ name: String = "ddexd.sqlite") throws -> StoreDatabase {
        try StoreDatabase(path: directory.path + "/" + name)
    }

    /// The one report of `urls`.
    func report(_ urls: [URL]) throws -> DSRReportFiles {
        let grouped = DSRReportFiles.group(paths: urls.map(\.path))
        if let error = grouped.rejected.first { throw error }
        return try XCTUnwrap(grouped.reports.first)
    }

    /// A private copy of a golden report (tests may change its files): its DSR files and its folder.
    func golden(_ report: GoldenReport) throws -> (files: [URL], folder: URL) {
        let copy = try report.copy(into: directory.url)
        return (copy.reportFiles, copy.folder)
    }

    static let samples = RepositoryPaths.samples.appendingPathComponent("dsr")
    static let orfium = "DSR_PADPIDA00123456743_PADPIDA0123456766K_UnlimitedMusicMonthly_2020-06-01--2020-06-30__1of1_20200703T075930.tsv"
    static let youTube = "DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv"
}

/// The rows a load writes, every cell as text (NULL as nil), table by table in id order: what both engines must
/// store alike. Only `dsr_reports.state_changed_at` (a clock) is left out.
enum StoredDSRRows {
    static let tables: [(name: String, columns: [String])] = [
        ("dsr_reports", ["id", "state", "superseded_by", "recipient", "sender", "service", "period", "territory", "name_created",
                         "number_of_files", "line_count", "summary_count", "block_count", "usage_line_count"]
            + DSRRowTable.reportHead.columns),
        ("dsr_report_files", ["id"] + DSRRowTable.reportFiles.columns),
        ("dsr_report_warnings", ["id", "report_id", "code", "location", "message"]),
        ("dsr_summaries", ["id"] + DSRRowTable.summaries.columns),
        ("dsr_releases", ["id"] + DSRRowTable.releases.columns),
        ("dsr_resources", ["id"] + DSRRowTable.resources.columns),
        ("dsr_usage_lines", ["id"] + DSRRowTable.usageLines.columns),
    ]

    static func sql(_ table: (name: String, columns: [String])) -> String {
        "SELECT " + table.columns.enumerated().map { "CAST(\($0.element) AS TEXT) AS c\($0.offset)" }.joined(separator: ", ")
            + " FROM \(table.name) ORDER BY id"
    }

    /// Every table's rows in SQLite's store at `path`.
    static func sqlite(_ path: String) throws -> [String: [[String?]]] {
        let database = try Database(path: path)
        defer { database.close() }
        var result: [String: [[String?]]] = [:]
        for table in tables {
            let statement = try database.prepare(sql(table))
            var rows: [[String?]] = []
            while try statement.step() {
                rows.append(table.columns.indices.map { statement.string(at: Int32($0)) })
            }
            result[table.name] = rows
        }
        return result
    }

    /// Every table's rows in a PostgreSQL database.
    static func postgres(_ database: PostgresDatabase) throws -> [String: [[String?]]] {
        try database.read { session in
            var result: [String: [[String?]]] = [:]
            for table in tables {
                result[table.name] = try session.query(sql(table)).map { row in
                    try table.columns.indices.map { try row.optionalValue("c\($0)", in: table.name) as String? }
                }
            }
            return result
        }
    }

    /// How many rows each table holds.
    static func counts(_ rows: [String: [[String?]]]) -> [String: Int] { rows.mapValues(\.count) }

    /// Fails the test at the first table whose rows differ, naming the first row that does.
    static func assertEqual(_ sqlite: [String: [[String?]]], _ postgres: [String: [[String?]]], _ what: String,
                            file: StaticString = #filePath, line: UInt = #line)
    {
        for table in tables {
            let a = sqlite[table.name] ?? [], b = postgres[table.name] ?? []
            XCTAssertEqual(a.count, b.count, "\(what): \(table.name) row count", file: file, line: line)
            if let index = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                let differing = table.columns.indices.filter { a[index][$0] != b[index][$0] }.map { table.columns[$0] }
                XCTFail("\(what): \(table.name) row \(index) differs in \(differing): SQLite \(a[index]), PostgreSQL \(b[index])",
                        file: file, line: line)
            }
        }
    }
}
