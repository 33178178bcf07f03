import DDEXModel
import Foundation
import Harness
import PostgresStore
import Store
import TestSupport
import XCTest

/// Drives the real `ddexd` binary on a configuration whose `[store]` is PostgreSQL: every command works on it, the
/// ledger's figures equal those of the SQLite engine, and one-shot commands share the work under leases.
final class PostgresCLITests: PostgresStoreTestCase {
    private static let period = "2020-06"

    /// ingest-dsr, import and statements on PostgreSQL give the statements SQLite gives (byte for byte) and dsrgen's
    /// oracle; a final run holds `statements:<period>`, so a second one meanwhile is refused.
    func testLedgerCommandsOnPostgreSQLEqualSQLite() throws {
        let report = GoldenReport.seed9TwoGzipFilesNegative
        let gen = report.folder.path
        let reports = try FileManager.default.contentsOfDirectory(atPath: gen).filter { $0.hasPrefix("DSR_") }.map { gen + "/" + $0 }
        var outputs: [String: String] = [:]
        for (name, store) in [("sqlite", ""), ("postgresql", try storeSection(database: newDatabaseName()))] {
            let config = try writeConfig(name, store: store)
            let ingested = try ddexd(["ingest-dsr", "--quiet", "--config", config] + reports)
            XCTAssertTrue(ingested.stdout.contains("loaded report"), ingested.stdout)
            for kind in ["catalog", "splits", "advances", "rates"] {
                try ddexd(["import", kind, gen + "/\(kind).csv", "--config", config])
            }
            let out = directory.path + "/statements-" + name
            let run = try ddexd(["statements", "--period", Self.period, "--format", "json", "--out", out, "--config", config])
            XCTAssertTrue(run.stdout.contains("1 report(s)"), run.stdout)
            outputs[name] = try String(contentsOfFile: out + "/statements.json", encoding: .utf8)
        }
        XCTAssertEqual(outputs["postgresql"], outputs["sqlite"])
        try OracleCheck.assertMatches(report, actual: URL(fileURLWithPath: directory.path + "/statements-postgresql/statements.json"))

        // An explicit SQLite file still takes the reports, whatever [store] says.
        let file = directory.path + "/explicit/ddexd.sqlite"
        let explicit = try ddexd(["ingest-dsr", "--quiet", "--database", file] + reports)
        XCTAssertTrue(explicit.stdout.contains("loaded report"), explicit.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file))
    }

    /// A final statement run on PostgreSQL records recoupment under the lease `statements:<period>`; while another
    /// operator holds it, a second final run is refused with exit 2 and says why.
    func testFinalStatementsTakeThePeriodsLease() throws {
        let database = try makeDatabase()
        let config = try writeConfig("final", store: storeSection(database: database.settings.database))
        let out = directory.path + "/final"
        let run = try ddexd(["statements", "--period", Self.period, "--final", "--out", out, "--config", config])
        XCTAssertTrue(run.stdout.contains("recoupment recorded"), run.stdout)
        let cluster = PostgresClusterStore(database: database)
        XCTAssertEqual(try cluster.leases().filter { $0.resource.hasPrefix("statements:") }, [], "given back at the end")

        let now = Date().timeIntervalSince1970
        XCTAssertNotNil(try cluster.acquire("statements:\(Self.period)", holder: "operator-2", now: now, duration: 600))
        let refused = try ddexd(["statements", "--period", Self.period, "--final", "--out", out, "--config", config], status: 2)
        XCTAssertTrue(refused.stderr.contains("operator-2"), refused.stderr)
        // A draft run reads only: no lease needed.
        try ddexd(["statements", "--period", Self.period, "--out", out, "--config", config])
    }

    /// `deliver` and `poll` on PostgreSQL: no spool lock, the command registers as an instance, delivers and polls
    /// under leases, skips what another instance holds, and gives everything back.
    func testDeliverAndPollWorkUnderLeases() throws {
        let database = try makeDatabase()
        let config = try writeConfig("cluster", store: storeSection(database: database.settings.database))
        let repositories = StoreRepositories(postgres: database)
        try enqueueDelivery("pkg-1", repositories)
        let delivered = try ddexd(["deliver", "--config", config])
        XCTAssertTrue(delivered.stdout.contains("spotify: 1 completed"), delivered.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.path + "/dropbox/spotify/batch-pkg-1/BatchComplete_batch-pkg-1.xml"))
        let instances = try repositories.cluster.instances()
        XCTAssertEqual(instances.count, 1)
        XCTAssertNotNil(instances.first?.stoppedAt, "the command's instance is recorded as stopped")
        let state = directory.path + "/cluster/spool/state"
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: state + "/instances"), [instances[0].id + ".lock"],
                       "the command locked its own instance file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/ddexd.lock"), "and not the whole spool")
        XCTAssertEqual(try repositories.cluster.leases().filter { !$0.isExpired(at: Date().timeIntervalSince1970) }, [])

        // Another instance holds the DSP's only session slot: the delivery waits for it.
        try enqueueDelivery("pkg-2", repositories)
        let now = Date().timeIntervalSince1970
        XCTAssertNotNil(try repositories.cluster.acquire("session:spotify:0", holder: "daemon-2", now: now, duration: 600))
        let busy = try ddexd(["deliver", "--config", config])
        XCTAssertTrue(busy.stdout.contains("other instances hold every session slot"), busy.stdout)
        XCTAssertEqual(try repositories.deliveries.deliveries(states: [.queued]).map(\.packageId), ["pkg-2"])

        XCTAssertNotNil(try repositories.cluster.acquire("poll:acks:spotify", holder: "daemon-2", now: now, duration: 600))
        let polled = try ddexd(["poll", "--config", config])
        XCTAssertTrue(polled.stdout.contains("skipped acknowledgements: another instance is polling them"), polled.stdout)
        XCTAssertTrue(polled.stdout.contains("reports: 0 file(s) fetched"), polled.stdout)
        XCTAssertEqual(try repositories.cluster.lease("poll:acks:spotify")?.holder, "daemon-2", "left to its holder")
        XCTAssertNil(try repositories.cluster.lease("poll:reports:spotify").flatMap { $0.isExpired(at: now) ? nil : $0 })
    }

    /// check-config names a refused connection `STORE_UNREACHABLE` and a wrong password `STORE_AUTH`, exiting 1.
    func testCheckConfigReportsAnUnreachableServerAndAWrongPassword() throws {
        let name = try newDatabaseName()
        let wrong = try directory.write("not-the-password\n", to: "wrong.password")
        let cases = [
            ("STORE_UNREACHABLE", storeSection(database: name, port: try Self.closedPort())),
            ("STORE_AUTH", storeSection(database: name, passwordFile: wrong.path)),
        ]
        for (code, store) in cases {
            let config = try writeConfig(code, store: store)
            let result = try ddexd(["check-config", "--config", config, "--format", "json"], status: 1)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let error = (json?["store"] as? [String: Any])?["error"] as? [String: Any]
            XCTAssertEqual(error?["code"] as? String, code, result.stdout + result.stderr)
        }
    }

    // MARK: - Support

    @discardableResult
    private func ddexd(_ arguments: [String], status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let result = try CommandRunner.run(CommandRunner.ddexd, arguments)
        XCTAssertEqual(result.status, status, "ddexd \(arguments.joined(separator: " ")):\n\(result.stdout)\(result.stderr)",
                       file: file, line: line)
        return result
    }

    private func newDatabaseName() throws -> String {
        let name = "cli_\(UUID().uuidString.prefix(8).lowercased())"
        try server.createDatabase(name)
        return name
    }

    private func storeSection(database: String, port: Int? = nil, passwordFile: String? = nil) -> String {
        """
        [store]
        kind = "postgresql"
        url = "postgresql://\(server.user)@\(server.host):\(port ?? server.port)/\(database)"
        password_file = "\(passwordFile ?? server.passwordFile)"
        pool_size = 4
        tls = "disable"
        """
    }

    /// A configuration of its own folder and spool: the example's sender, accounting and DSP profiles (for the
    /// ledger's DSP names), plus a local-folder `spotify` delivering into `dropbox/spotify`, one session at a time.
    private func writeConfig(_ name: String, store: String) throws -> String {
        let root = directory.path + "/" + name
        try FileManager.default.createDirectory(atPath: root + "/dsps", withIntermediateDirectories: true)
        try DaemonHarness.localProfile(name: "spotify", dpid: "PADPIDA2011072101T", root: directory.path + "/dropbox/spotify")
            .replacingOccurrences(of: "kind = \"local\"", with: "kind = \"local\"\nmax_sessions = 1")
            .write(toFile: root + "/dsps/spotify.toml", atomically: true, encoding: .utf8)
        let text = """
            dsp_folder = "dsps"

            [sender]
            dpid = "PADPIDA2014122301Q"
            name = "Example Distribution Ltd."

            [spool]
            root = "\(root)/spool"

            [schemas]
            folder = "\(RepositoryPaths.xsd.path)"

            [accounting]
            currency = "EUR"
            commission_bp = 1500

            [accounts.example-label]
            commission_bp = 1500

            \(store)
            """
        try text.write(toFile: root + "/ddexd.toml", atomically: true, encoding: .utf8)
        return root + "/ddexd.toml"
    }

    /// A queued delivery of package `id` to spotify: three small files of its own bundle.
    private func enqueueDelivery(_ id: String, _ repositories: StoreRepositories) throws {
        let bundle = directory.path + "/bundles/" + id
        let batch = "batch-\(id)"
        var files: [DeliveryFile] = []
        for (seq, (role, remote)) in [(DeliveryFile.Role.resource, "\(batch)/R1/resources/01.flac"), (.message, "\(batch)/R1/R1.xml"),
                                      (.completion, "\(batch)/BatchComplete_\(batch).xml")].enumerated()
        {
            let local = try directory.write("\(id) file \(seq)\n", to: "bundles/\(id)/\(seq)")
            files.append(DeliveryFile(seq: seq, role: role, localPath: local.path, remotePath: remote, size: UInt64("\(id) file \(seq)\n".utf8.count)))
        }
        let now = Timestamp.format()
        _ = try repositories.packages.receive(id: id, account: "example-label", source: "inbound/\(id)", workPath: "work/\(id)", now: now)
        _ = try repositories.deliveries.enqueue(NewDelivery(packageId: id, dsp: "spotify", releaseId: "R1", kind: .newRelease, batchId: batch,
                                                            messageId: "M-\(id)", bundlePath: bundle, remoteFolder: batch, files: files),
                                                now: now)
    }

    /// A local port nothing listens on: bound, then closed.
    private static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ContractFailure("cannot bind a local port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
