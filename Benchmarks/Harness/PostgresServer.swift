import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away PostgreSQL cluster on 127.0.0.1, for the tests and benchmarks of the PostgreSQL store.
///
/// Each server is a fresh cluster (`initdb`) in a private folder, listening on 127.0.0.1 at a free port, with its unix
/// socket in that folder. It has a login role `ddexd` with a random password, owning a database `ddexd`; TCP logins
/// need that password (scram-sha-256), so a wrong one is refused for real. The harness administers the cluster as the
/// superuser `postgres`, trusted only through the private socket folder. Durability is traded for speed (`fsync` off):
/// the data is thrown away with the folder.
///
/// Needs Debian's `postgresql` (initdb and postgres in PATH or `/usr/lib/postgresql/<version>/bin`, psql, and the
/// openssl it depends on for `Options.tls`); without
/// it `init` throws with the install hint, so tests fail loudly rather than skip. `initdb` refuses to run as root: as
/// root, the cluster runs as the `postgres` user the package creates, in a folder under `/var/lib/ddexd-test-postgres/`
/// (or `$DDEXD_TEST_POSTGRES_DIR`) that it can reach.
///
/// Not thread-safe: drive one server from one thread (a test method).
public final class PostgresServer: @unchecked Sendable {
    public struct Options: Sendable {
        /// Extra `postgresql.conf` lines, written after the harness's own (so they win), e.g. `max_connections = 20`.
        public var extraConfiguration: [String]
        /// Serve TLS too, with a certificate for 127.0.0.1 signed by a throw-away CA (`caCertificatePath`), so that
        /// `tls = "require"` and `"verify-full"` meet a real TLS server. Plain connections stay allowed.
        public var tls: Bool

        public init(extraConfiguration: [String] = [], tls: Bool = false) {
            self.extraConfiguration = extraConfiguration
            self.tls = tls
        }
    }

    public static let installHint = "apt-get install -y postgresql"

    public let options: Options
    public let host = "127.0.0.1"
    public private(set) var port = 0
    /// The role ddexd logs in as (by password, over TCP).
    public let user = "ddexd"
    public let password: String
    /// The database owned by `user` that every server has.
    public let database = "ddexd"
    /// A file holding `password` and a newline (as `echo` writes one), mode 0600, readable by the test process.
    public let passwordFile: String
    /// The bootstrap superuser the harness administers the cluster as.
    public let superuser = "postgres"
    /// The server's private folder: `data/`, `socket/`, `postgres.log`, `password`.
    public let root: URL
    public let dataFolder: String
    public let socketFolder: String
    public let logPath: String
    /// With `Options.tls`, the CA certificate (PEM) that signed the server's: what a client verifying it trusts.
    public let caCertificatePath: String?
    /// The postmaster's PID while it runs (the harness's own child).
    public private(set) var pid: pid_t?
    private let installation: PostgresInstallation
    /// The folder of initdb and postgres.
    public var binFolder: String { installation.binFolder }
    /// The psql of the same version (or PATH's).
    public var psqlPath: String { installation.psqlPath }

    /// `postgresql://ddexd@127.0.0.1:PORT/ddexd`: the database every server has, as `[store] url` writes it.
    public var url: String { url(database: database) }

    public func url(database: String) -> String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    /// Makes a fresh cluster, starts it on a free port and creates the `ddexd` role and database.
    public init(options: Options = Options()) throws {
        self.options = options
        installation = try PostgresInstallation.find()
        root = try installation.makePrivateFolder()
        dataFolder = root.appendingPathComponent("data").path
        socketFolder = root.appendingPathComponent("socket").path
        logPath = root.appendingPathComponent("postgres.log").path
        passwordFile = root.appendingPathComponent("password").path
        caCertificatePath = options.tls ? root.appendingPathComponent("ca.crt").path : nil
        // Hexadecimal: nothing to quote in SQL; 128 bits from the system's secure generator.
        password = (0..<32).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        do {
            try makeCluster()
            port = try startOnFreePort()
            try psql("CREATE ROLE \(user) LOGIN PASSWORD '\(password)';\nCREATE DATABASE \(database) OWNER \(user);")
            try writePasswordFile()
        } catch {
            tearDown()
            throw error
        }
    }

    deinit { tearDown() }

    // MARK: - Running

    public var isRunning: Bool {
        guard let pid else { return false }
        var status: Int32 = 0
        if SSHProcess.hasExited(pid, status: &status) {
            self.pid = nil
            return false
        }
        return true
    }

    /// Starts the postmaster on the current port and waits until it accepts connections (after a `kill`, once crash
    /// recovery is done).
    public func start() throws {
        guard !isRunning else { return }
        let logFile = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard logFile >= 0 else { throw HarnessError("cannot create \(logPath)") }
        defer { close(logFile) }
        let logStart = Int(lseek(logFile, 0, SEEK_END))
        // env, setpriv and postgres each exec the next, so the PID spawned is the postmaster's own.
        let pid = try SSHProcess.spawn("/usr/bin/env", commandLine(binFolder + "/postgres", ["-D", dataFolder, "-p", "\(port)"]),
                                       stdout: logFile, stderr: logFile)
        self.pid = pid
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if postmasterStatus(of: pid) == "ready" { return }
            guard isRunning else { throw HarnessError("postgres exited at start: \(log(since: logStart))") }
            usleep(20_000)
        }
        kill()
        throw HarnessError("postgres did not become ready on port \(port) within 60 s: \(log(since: logStart))")
    }

    /// A fast shutdown (SIGINT, as `pg_ctl stop -m fast`): sessions are ended, the postmaster exits cleanly and the
    /// server can be started again on the same port.
    public func stop() throws {
        guard let pid, isRunning else { return }
        Glibc.kill(pid, SIGINT)
        let deadline = Date().addingTimeInterval(30)
        var status: Int32 = 0
        while Date() < deadline {
            if SSHProcess.hasExited(pid, status: &status) {
                self.pid = nil
                return
            }
            usleep(10_000)
        }
        kill()
        throw HarnessError("postgres did not stop within 30 s (killed): \(log)")
    }

    /// SIGKILLs the postmaster and every backend, as a crash or a lost machine would; `start` recovers the cluster.
    public func kill() {
        guard let master = pid else { return }
        let children = SSHServer.descendants(of: master)
        Glibc.kill(master, SIGKILL)
        for child in children { Glibc.kill(child, SIGKILL) }
        SSHProcess.wait(master)
        pid = nil
        // The backends are orphans now, reaped by init whenever it gets to them: gone or zombies, they no longer hold
        // the shared memory a new postmaster checks.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, children.contains(where: { Glibc.kill($0, 0) == 0 && !SSHServer.isZombie($0) }) {
            usleep(10_000)
        }
    }

    /// The server's log so far.
    public var log: String { log(since: 0) }

    private func log(since offset: Int) -> String {
        guard let data = FileManager.default.contents(atPath: logPath), offset <= data.count else { return "" }
        return String(decoding: data[offset...], as: UTF8.self)
    }

    // MARK: - SQL

    /// Runs SQL as the superuser through the unix socket and returns what psql prints (unaligned, tuples only);
    /// throws with psql's errors. Statements run one by one, outside a transaction unless the SQL opens one (so
    /// `CREATE DATABASE` may be among them).
    @discardableResult
    public func psql(_ sql: String, database: String? = nil) throws -> String {
        try runPSQL(sql, ["-h", socketFolder, "-U", superuser, "-d", database ?? "postgres"], environment: [])
    }

    /// Runs SQL as `user` (default `ddexd`) over TCP with `password` (default the role's), as ddexd connects: the
    /// server checks the password (scram-sha-256). `sslMode` is libpq's (`disable`, `require`, `verify-full`; the CA
    /// is `caCertificatePath`). Throws with psql's errors, a refused login among them.
    @discardableResult
    public func psqlOverTCP(_ sql: String, user: String? = nil, password: String? = nil, database: String? = nil,
                            sslMode: String = "disable") throws -> String
    {
        let environment = ["PGPASSWORD=\(password ?? self.password)", "PGSSLMODE=\(sslMode)"]
            + (caCertificatePath.map { ["PGSSLROOTCERT=\($0)"] } ?? [])
        return try runPSQL(sql, ["-h", host, "-U", user ?? self.user, "-d", database ?? self.database], environment: environment)
    }

    /// A fresh empty database owned by `user` (so each test can have its own); returns its URL.
    @discardableResult
    public func createDatabase(_ name: String) throws -> String {
        // Plain lower-case names need no quoting in SQL nor encoding in the URL.
        guard let first = name.first, first.isLetter || first == "_", name.utf8.count <= 63,
              name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
        else { throw HarnessError("database name '\(name)' must be lower-case letters, digits and '_' (63 at most)") }
        try psql("CREATE DATABASE \(name) OWNER \(user);")
        return url(database: name)
    }

    /// psql without a `.psqlrc` and with none of the test process's `PG*` variables (a `PGHOST` or `PGUSER` of the
    /// machine must not redirect the harness), stopping at the first error. The SQL goes through a file, which psql
    /// splits into statements.
    private func runPSQL(_ sql: String, _ connection: [String], environment: [String]) throws -> String {
        let file = root.appendingPathComponent("statements-\(UUID().uuidString).sql").path
        try sql.write(toFile: file, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let arguments = ["-i", "PATH=/usr/bin:/bin", "PGCONNECT_TIMEOUT=10"] + environment
            + [psqlPath, "-X", "-w", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-p", "\(port)"] + connection + ["-f", file]
        let result = try SSHProcess.run("/usr/bin/env", arguments)
        guard result.status == 0 else { throw HarnessError("psql exited with \(result.status): \(result.stderr)") }
        return result.stdout
    }

    // MARK: - Set-up

    /// initdb, then the harness's settings: loopback only, the socket in the private folder, no fsync, and who may
    /// log in how.
    private func makeCluster() throws {
        try installation.makeFolder(socketFolder)
        try SSHTools.run("/usr/bin/env", commandLine(binFolder + "/initdb", [
            "-D", dataFolder, "-U", superuser, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync",
        ]))
        let settings = [
            "", "# The ddexd test harness",
            "listen_addresses = '\(host)'",
            "unix_socket_directories = '\(socketFolder)'",
            "password_encryption = 'scram-sha-256'",
            "fsync = off", "synchronous_commit = off", "full_page_writes = off",
        ] + (options.tls ? try makeCertificates() : []) + options.extraConfiguration
        let configuration = try FileHandle(forWritingTo: URL(fileURLWithPath: dataFolder + "/postgresql.conf"))
        defer { try? configuration.close() }
        try configuration.seekToEnd()
        try configuration.write(contentsOf: Data((settings.joined(separator: "\n") + "\n").utf8))
        try """
            # The harness administers the cluster as the superuser, through the private socket folder.
            local all \(superuser) trust
            # Everyone else logs in as ddexd does: over TCP, with a password.
            host all all \(host)/32 scram-sha-256

            """.write(toFile: dataFolder + "/pg_hba.conf", atomically: false, encoding: .utf8)
    }

    /// A CA and a server certificate for 127.0.0.1 (subjectAltName IP, which libpq's and NIOSSL's verify-full check),
    /// EC P-256, valid a week; returns the `postgresql.conf` lines that serve them. The server's key must belong to the
    /// server's account and be readable by it alone, or postgres refuses it.
    private func makeCertificates() throws -> [String] {
        let file = { (name: String) in self.root.appendingPathComponent(name).path }
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try SSHTools.run("/usr/bin/openssl", ["req", "-x509", "-new"] + newKey
            + ["-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "7", "-subj", "/CN=ddexd test CA"])
        try SSHTools.run("/usr/bin/openssl", ["req", "-new"] + newKey + ["-keyout", file("server.key"), "-out", file("server.csr"),
            "-subj", "/CN=\(host)", "-addext", "subjectAltName=IP:\(host)"])
        try SSHTools.run("/usr/bin/openssl", ["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.crt"),
            "-CAkey", file("ca.key"), "-CAcreateserial", "-copy_extensions", "copy", "-days", "7", "-out", file("server.crt")])
        for name in ["ca.key", "ca.srl", "server.csr"] { try? FileManager.default.removeItem(atPath: file(name)) }
        chmod(file("server.key"), 0o600)
        if let account = installation.serverAccount {
            for name in ["server.key", "server.crt"] { chown(file(name), account.uid, account.gid) }
        }
        return ["ssl = on", "ssl_cert_file = '\(file("server.crt"))'", "ssl_key_file = '\(file("server.key"))'"]
    }

    /// Starts on a port the kernel says is free, trying another one when something took it before postgres bound it.
    private func startOnFreePort() throws -> Int {
        var lastError: Error?
        for _ in 0..<5 {
            port = try SSHServer.freePort()
            do {
                try start()
                return port
            } catch {
                lastError = error
                guard "\(error)".contains("Address already in use") else { throw error }
            }
        }
        throw lastError ?? HarnessError("no free port")
    }

    private func writePasswordFile() throws {
        guard FileManager.default.createFile(atPath: passwordFile, contents: Data((password + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600])
        else { throw HarnessError("cannot write \(passwordFile)") }
    }

    /// The postmaster's state from `postmaster.pid` (`starting`, `ready`, `stopping`), if the file is this postmaster's:
    /// a killed server leaves its own behind.
    private func postmasterStatus(of pid: pid_t) -> String? {
        guard let text = try? String(contentsOfFile: dataFolder + "/postmaster.pid", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 8, Int32(lines[0]) == pid else { return nil }
        return lines[7].trimmingCharacters(in: .whitespaces)
    }

    /// `env` arguments running `tool` in the private folder with a clean environment, as the server's account.
    private func commandLine(_ tool: String, _ arguments: [String]) -> [String] {
        var command = ["-i", "-C", root.path, "PATH=/usr/bin:/bin"]
        if let account = installation.serverAccount {
            command += [PostgresInstallation.setpriv, "--reuid=\(account.uid)", "--regid=\(account.gid)", "--init-groups", "--"]
        }
        return command + [tool] + arguments
    }

    private func tearDown() {
        if (try? stop()) == nil { kill() }
        try? FileManager.default.removeItem(at: root)
    }
}
