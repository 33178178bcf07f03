import Foundation
import Harness
import XCTest

/// The throw-away PostgreSQL cluster the store's tests run against: it starts, logs `ddexd` in by password only, stops
/// and starts again on its port, survives a kill, and leaves nothing behind.
final class PostgresServerTests: XCTestCase {
    func testItStartsAndAnswersTheSuperuser() throws {
        let server = try PostgresServer()
        XCTAssertTrue(server.isRunning)
        XCTAssertEqual(try server.psql("select 1"), "1\n")
        XCTAssertEqual(server.url, "postgresql://ddexd@127.0.0.1:\(server.port)/ddexd")
        // Statements run one by one, so CREATE DATABASE may follow another.
        try server.psql("create table probe (x int); create database other_one;")
        XCTAssertEqual(try server.psql("select datname from pg_database where datname = 'other_one'"), "other_one\n")
        XCTAssertEqual(try server.psql("show fsync"), "off\n")
        XCTAssertEqual(try server.psql("show listen_addresses"), "127.0.0.1\n")
        XCTAssertThrowsError(try server.psql("select * from no_such_table")) { error in
            XCTAssertTrue("\(error)".contains("no_such_table"), "\(error)")
        }
    }

    /// ddexd's role logs in over TCP with its password; a wrong or missing password is refused by the server.
    func testTheRoleLogsInOverTCPWithItsPasswordOnly() throws {
        let server = try PostgresServer()
        XCTAssertEqual(try server.psqlOverTCP("select current_user, current_database(), inet_server_port()"),
                       "ddexd|ddexd|\(server.port)\n")
        XCTAssertEqual(try server.psqlOverTCP("select rolsuper from pg_roles where rolname = current_user"), "f\n")
        XCTAssertThrowsError(try server.psqlOverTCP("select 1", password: server.password + "x")) { error in
            XCTAssertTrue("\(error)".contains("password authentication failed for user \"ddexd\""), "\(error)")
        }
        XCTAssertThrowsError(try server.psqlOverTCP("select 1", user: server.superuser, password: "")) { error in
            XCTAssertTrue("\(error)".contains("password"), "the superuser has no TCP login: \(error)")
        }
        let passwordFile = try String(contentsOfFile: server.passwordFile, encoding: .utf8)
        XCTAssertEqual(passwordFile, server.password + "\n")
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: server.passwordFile)[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o600)
    }

    func testCreateDatabaseGivesTheRoleAFreshDatabase() throws {
        let server = try PostgresServer()
        let url = try server.createDatabase("test_one")
        XCTAssertEqual(url, "postgresql://ddexd@127.0.0.1:\(server.port)/test_one")
        try server.psqlOverTCP("create table t (x int); insert into t values (7);", database: "test_one")
        XCTAssertEqual(try server.psqlOverTCP("select x from t", database: "test_one"), "7\n")
        XCTAssertThrowsError(try server.createDatabase("Robert'); drop table students;--"))
    }

    /// A fast stop ends the server cleanly; it starts again on the same port with its data. After a kill it recovers.
    func testStopStartAndKillKeepThePortAndTheData() throws {
        let server = try PostgresServer()
        let port = server.port
        try server.psqlOverTCP("create table kept (x int); insert into kept values (1);")
        try server.stop()
        XCTAssertFalse(server.isRunning)
        XCTAssertThrowsError(try server.psqlOverTCP("select 1"), "nothing listens once stopped")
        try server.start()
        XCTAssertEqual(server.port, port)
        XCTAssertEqual(try server.psqlOverTCP("select x from kept"), "1\n")

        let postmaster = try XCTUnwrap(server.pid)
        server.kill()
        XCTAssertFalse(server.isRunning)
        XCTAssertNotEqual(kill(postmaster, 0), 0, "the postmaster is gone")
        XCTAssertThrowsError(try server.psqlOverTCP("select 1"))
        try server.start()
        XCTAssertEqual(server.port, port)
        XCTAssertEqual(try server.psqlOverTCP("select x from kept"), "1\n", "committed before the kill")
    }

    func testTwoServersAtOnceHaveTheirOwnPortsAndPasswords() throws {
        let first = try PostgresServer()
        let second = try PostgresServer()
        XCTAssertNotEqual(first.port, second.port)
        XCTAssertNotEqual(first.password, second.password)
        XCTAssertNotEqual(first.root, second.root)
        XCTAssertEqual(try first.psqlOverTCP("select 1"), "1\n")
        XCTAssertEqual(try second.psqlOverTCP("select 1"), "1\n")
        XCTAssertThrowsError(try second.psqlOverTCP("select 1", password: first.password))
    }

    /// With TLS, a client verifying the certificate against the harness's CA and the name 127.0.0.1 gets in encrypted.
    func testTLSServesACertificateFor127001SignedByItsCA() throws {
        let server = try PostgresServer(options: .init(tls: true))
        let encrypted = "select ssl from pg_stat_ssl where pid = pg_backend_pid()"
        XCTAssertEqual(try server.psqlOverTCP(encrypted, sslMode: "verify-full"), "t\n")
        XCTAssertEqual(try server.psqlOverTCP(encrypted, sslMode: "require"), "t\n")
        XCTAssertEqual(try server.psqlOverTCP(encrypted, sslMode: "disable"), "f\n")
        let ca = try String(contentsOfFile: try XCTUnwrap(server.caCertificatePath), encoding: .utf8)
        XCTAssertTrue(ca.hasPrefix("-----BEGIN CERTIFICATE-----"))

        let plain = try PostgresServer()
        XCTAssertNil(plain.caCertificatePath)
        XCTAssertThrowsError(try plain.psqlOverTCP("select 1", sslMode: "require")) { error in
            XCTAssertTrue("\(error)".contains("SSL"), "\(error)")
        }
    }

    func testExtraConfigurationApplies() throws {
        let server = try PostgresServer(options: .init(extraConfiguration: ["max_connections = 17"]))
        XCTAssertEqual(try server.psql("show max_connections"), "17\n")
    }

    /// Dropping the server stops the postmaster and every backend and removes the folder.
    func testDeinitRemovesTheProcessesAndTheFolder() throws {
        var server: PostgresServer? = try PostgresServer()
        let root = try XCTUnwrap(server?.root)
        let postmaster = try XCTUnwrap(server?.pid)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.path))
        server = nil
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path))
        XCTAssertNotEqual(kill(postmaster, 0), 0, "the postmaster is gone")
    }
}
