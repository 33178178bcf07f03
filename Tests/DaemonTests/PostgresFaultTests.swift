import Foundation
import TestSupport
import XCTest

/// The daemon on a PostgreSQL store that is wrong at start: a clear coded error, a non-zero exit, nothing created.
/// (A database that goes away mid-run is not tested here yet: after a restart of the server the daemon was seen to
/// stop advancing a package it had just claimed; see the note.)
final class PostgresFaultTests: XCTestCase {
    private func daemon(on postgres: PostgresServer, database: String, passwordFile: String? = nil) throws -> DaemonHarness {
        let daemon = try DaemonHarness()
        try daemon.writeConfig(extra: """
            [store]
            kind = "postgresql"
            url = "\(postgres.url(database: database))"
            password_file = "\(passwordFile ?? postgres.passwordFile)"
            tls = "disable"
            """, daemon: "lease_seconds = 2")
        return daemon
    }

    func testAWrongPasswordOrAnUnreachableServerStopsTheStartWithItsCode() throws {
        let postgres = try PostgresServer()
        try postgres.createDatabase("faults")
        let wrong = try TemporaryDirectory(prefix: "password")
        try wrong.write("not-the-password\n", to: "password")

        let refused = try daemon(on: postgres, database: "faults", passwordFile: wrong.path + "/password")
        let run = try CommandRunner.run(CommandRunner.ddexd, ["run", "--config", refused.configPath])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("STORE_AUTH"), run.stderr)
        XCTAssertFalse(run.stderr.contains("not-the-password"), "the password never reaches the log")
        XCTAssertEqual(try postgres.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database: "faults")
            .trimmingCharacters(in: .whitespacesAndNewlines), "0", "nothing was created")
        let check = try CommandRunner.run(CommandRunner.ddexd, ["check-config", "--config", refused.configPath])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.stdout.contains("STORE_AUTH"), check.stdout)

        let elsewhere = try daemon(on: postgres, database: "faults")
        try elsewhere.writeConfig(extra: """
            [store]
            kind = "postgresql"
            url = "postgresql://ddexd@127.0.0.1:1/faults"
            password_file = "\(postgres.passwordFile)"
            tls = "disable"
            """)
        let unreachable = try CommandRunner.run(CommandRunner.ddexd, ["run", "--config", elsewhere.configPath])
        XCTAssertEqual(unreachable.status, 1, unreachable.stdout + unreachable.stderr)
        XCTAssertTrue(unreachable.stderr.contains("STORE_UNREACHABLE"), unreachable.stderr)
    }
}
