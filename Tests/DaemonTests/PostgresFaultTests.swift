import Foundation
import TestSupport
import XCTest

/// The daemon on a PostgreSQL store that is wrong at start or goes away while it works: a clear coded error and a
/// non-zero exit at start; mid-run, the work under way waits and resumes when the database answers again, with
/// nothing delivered twice.
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

    func testADatabaseThatGoesAwayMidRunDelaysTheWorkAndLosesNothing() throws {
        let postgres = try PostgresServer()
        try postgres.createDatabase("away")
        let daemon = try daemon(on: postgres, database: "away")
        try daemon.start()
        try daemon.drop(fixture: "packages/album-flac", as: "first")
        try daemon.waitUntil("the first release delivered") {
            daemon.deliveryState("spotify") == "completed" && daemon.deliveryState("youtube") == "completed"
        }
        try postgres.stop()
        try daemon.drop(fixture: "packages/example-album", as: "second")
        try daemon.waitUntil("the daemon says the store is away", timeout: 30) {
            daemon.log.contains("cannot renew this instance's leases") && daemon.log.contains("STORE_UNREACHABLE")
        }
        XCTAssertTrue(daemon.process?.isRunning ?? false, "the daemon keeps running without its database")
        try postgres.start()
        try daemon.waitUntil("the second release delivered once the database is back", timeout: 60) {
            daemon.packageStatuses().count == 2
                && (0..<2).allSatisfy { index in ["spotify", "youtube"].allSatisfy { daemon.deliveryState($0, package: index) == "completed" } }
        }
        XCTAssertTrue(daemon.log.contains("store reachable again"), daemon.log)
        XCTAssertEqual(daemon.stop(), 0, daemon.log)
        let files = daemon.dropBoxFiles()
        XCTAssertEqual(files.filter { $0.contains("BatchComplete_") }.count, 4, "one batch per release and DSP: \(files)")
        XCTAssertEqual(try postgres.psql("SELECT count(*) FROM deliveries", database: "away").trimmingCharacters(in: .whitespacesAndNewlines), "4")
    }

    /// The database stopped (fast shutdown) or killed (crash recovery at its start) again and again while releases
    /// arrive before, during and right after each outage: every release is delivered once to each DSP.
    func testADatabaseThatRestartsAgainAndAgainDelaysTheWorkAndLosesNothing() throws {
        // The harness trades durability for speed; a server killed with SIGKILL must keep what it said was committed,
        // as a production server does.
        let postgres = try PostgresServer(options: .init(extraConfiguration: ["synchronous_commit = on"]))
        try postgres.createDatabase("restarts")
        let daemon = try daemon(on: postgres, database: "restarts")
        try daemon.start()
        try FileManager.default.createDirectory(atPath: daemon.inbound, withIntermediateDirectories: true)
        let flac = RepositoryPaths.fixtures.appendingPathComponent("packages/album-flac/resources/01.flac").path
        var generator = SystemRandomNumberGenerator()
        let cycles = 4
        var dropped = 0
        func dropRelease() throws {
            dropped += 1
            let staging = daemon.inbound + "/.staging-\(dropped)"
            try LargePackage.make(at: staging, fixture: "packages/album-flac", flac: flac,
                                  release: (LargePackage.icpn(String(format: "5012345688%02d", dropped)), String(format: "GBRST%02d", dropped)))
            XCTAssertEqual(rename(staging, daemon.inbound + "/release-\(dropped)"), 0)
        }
        for cycle in 0..<cycles {
            try dropRelease()
            usleep(UInt32.random(in: 0..<400_000, using: &generator))
            if cycle % 2 == 0 { try postgres.stop() } else { postgres.kill() }
            try dropRelease()
            usleep(UInt32.random(in: 0..<1_500_000, using: &generator))
            try postgres.start()
            try dropRelease()
            try daemon.waitUntil("every release of cycle \(cycle) delivered", timeout: 60) {
                let statuses = daemon.packageStatuses()
                return statuses.count == dropped
                    && (0..<dropped).allSatisfy { index in ["spotify", "youtube"].allSatisfy { daemon.deliveryState($0, package: index) == "completed" } }
            }
        }
        XCTAssertEqual(daemon.stop(), 0, daemon.log)
        let files = daemon.dropBoxFiles()
        XCTAssertEqual(files.filter { $0.contains("BatchComplete_") }.count, 2 * dropped, "one batch per release and DSP: \(files)")
        XCTAssertEqual(try postgres.psql("SELECT count(*) FROM deliveries", database: "restarts").trimmingCharacters(in: .whitespacesAndNewlines),
                       "\(2 * dropped)")
    }
}
