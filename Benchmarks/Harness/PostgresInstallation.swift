import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `PostgresServer` needs from the machine: Debian's PostgreSQL binaries, the account to run them as, and a place
/// for a cluster's private folder that account can reach.
///
/// Debian keeps initdb and postgres out of PATH, in `/usr/lib/postgresql/<version>/bin` (only psql has a wrapper in
/// `/usr/bin`), so PATH is searched first, then the highest version there. initdb refuses to run as root: as root the
/// cluster runs as the `postgres` user the package creates.
struct PostgresInstallation {
    /// The folder of initdb and postgres (symbolic links resolved, so the tools are one version).
    let binFolder: String
    let psqlPath: String
    /// The account the cluster runs as, or nil to run it as the current (non-root) user.
    let serverAccount: (uid: uid_t, gid: gid_t)?

    static let setpriv = "/usr/bin/setpriv"

    static func find() throws -> PostgresInstallation {
        let installHint = "install it with `\(PostgresServer.installHint)`"
        guard let binFolder = serverFolders().first else {
            throw HarnessError("PostgreSQL's initdb and postgres are neither in PATH nor in /usr/lib/postgresql/*/bin: "
                + "\(installHint) (the PostgreSQL store's tests start a throw-away cluster)")
        }
        let psql = ([binFolder] + pathFolders()).map { $0 + "/psql" }.first(where: FileManager.default.isExecutableFile(atPath:))
        guard let psql else { throw HarnessError("psql is neither in \(binFolder) nor in PATH: \(installHint)") }
        guard geteuid() == 0 else { return PostgresInstallation(binFolder: binFolder, psqlPath: psql, serverAccount: nil) }
        guard let account = getpwnam("postgres") else {
            throw HarnessError("initdb refuses to run as root, and there is no `postgres` user to run it as: \(installHint), "
                + "which creates that user")
        }
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            throw HarnessError("\(setpriv) is missing (it runs the cluster as `postgres`): install it with `apt-get install -y util-linux`")
        }
        return PostgresInstallation(binFolder: binFolder, psqlPath: psql,
                                    serverAccount: (account.pointee.pw_uid, account.pointee.pw_gid))
    }

    /// Folders holding initdb and postgres: PATH's first, then `/usr/lib/postgresql/<version>/bin`, highest first.
    private static func serverFolders() -> [String] {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let versioned = versions
            .sorted { $0.split(separator: ".").compactMap { Int($0) }.lexicographicallyPrecedes($1.split(separator: ".").compactMap { Int($0) }) }
            .reversed().map { "/usr/lib/postgresql/\($0)/bin" }
        return (pathFolders() + versioned).compactMap { folder in
            let initdb = URL(fileURLWithPath: folder + "/initdb")
            guard FileManager.default.isExecutableFile(atPath: initdb.path) else { return nil }
            let real = initdb.resolvingSymlinksInPath().deletingLastPathComponent().path
            return FileManager.default.isExecutableFile(atPath: real + "/postgres") ? real : nil
        }
    }

    private static func pathFolders() -> [String] {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    /// A new private folder for one cluster, owned by the server's account, under `$DDEXD_TEST_POSTGRES_DIR` or else
    /// `/var/lib/ddexd-test-postgres` as root (a temporary folder is 0700 root's, which `postgres` cannot enter) or the
    /// temporary folder otherwise.
    func makePrivateFolder() throws -> URL {
        let configured = ProcessInfo.processInfo.environment["DDEXD_TEST_POSTGRES_DIR"]
        let base = URL(fileURLWithPath: configured
            ?? (serverAccount == nil ? NSTemporaryDirectory() + "/ddexd-test-postgres" : "/var/lib/ddexd-test-postgres"))
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        if configured == nil, serverAccount != nil { chmod(base.path, 0o755) }
        if let serverAccount { try Self.checkReachable(base.standardizedFileURL.path, by: serverAccount) }
        let root = base.appendingPathComponent(UUID().uuidString)
        // The socket's path must fit a sockaddr_un (107 bytes).
        guard (root.path + "/socket/.s.PGSQL.65535").utf8.count <= 107 else {
            throw HarnessError("\(base.path) is too long a path for the cluster's unix socket: set DDEXD_TEST_POSTGRES_DIR to a shorter one")
        }
        try makeFolder(root.path)
        return root
    }

    /// A 0700 folder the server's account owns.
    func makeFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        if let serverAccount { chown(path, serverAccount.uid, serverAccount.gid) }
    }

    /// Every folder from `/` to `path` must let the account through (search permission), or initdb fails obscurely.
    private static func checkReachable(_ path: String, by account: (uid: uid_t, gid: gid_t)) throws {
        var folder = path
        while true {
            var info = stat()
            guard stat(folder, &info) == 0 else { throw HarnessError("cannot stat \(folder)") }
            let mode = info.st_mode
            let searchable = info.st_uid == account.uid ? mode & 0o100 != 0
                : info.st_gid == account.gid ? mode & 0o010 != 0 : mode & 0o001 != 0
            guard searchable else {
                throw HarnessError("the postgres user cannot enter \(folder), so it cannot run a cluster below it: "
                    + "set DDEXD_TEST_POSTGRES_DIR to a folder it can reach")
            }
            if folder == "/" { return }
            folder = (folder as NSString).deletingLastPathComponent
        }
    }
}
