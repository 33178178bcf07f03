import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real OpenSSH server (`/usr/sbin/sshd -D -e`) on 127.0.0.1 that looks like a DSP drop box, for tests and
/// benchmarks.
///
/// Everything lives in a private folder: the sshd configuration and host key, a client ed25519 key authorised to log
/// in, a known_hosts file pinning the host key, and a chroot (`ChrootDirectory` + `ForceCommand internal-sftp`) with
/// a writable `upload/` folder. sshd's chroot rule (every folder on the path owned by root and not group- or
/// other-writable) rules out `/tmp`, so the folder is under `/var/lib/ddexd-test-sshd/` (or `$DDEXD_TEST_SSHD_DIR`).
/// Needs root (privilege separation, chroot) and `openssh-server`; without them `init` throws, so tests fail loudly.
///
/// Not thread-safe: drive one server from one thread (a test method).
public final class SSHServer: @unchecked Sendable {
    public struct Options: Sendable {
        /// The account clients log in as; `nobody` gives a server where permissions apply (root bypasses them).
        public var user: String
        /// Lock sessions into the drop box with `ChrootDirectory` + `ForceCommand internal-sftp`.
        public var chroot: Bool
        /// Extra `sshd_config` lines.
        public var extraConfiguration: [String]

        public init(user: String = "root", chroot: Bool = true, extraConfiguration: [String] = []) {
            self.user = user
            self.chroot = chroot
            self.extraConfiguration = extraConfiguration
        }
    }

    public let options: Options
    public let host = "127.0.0.1"
    public private(set) var port: Int
    public var user: String { options.user }
    /// The harness's private folder.
    public let root: URL
    /// The chroot: what an SFTP client sees as `/`.
    public let dropBox: URL
    /// The client's private key (ed25519, no passphrase); `clientKeyPath + ".pub"` is authorised.
    public let clientKeyPath: String
    /// A known_hosts file pinning the current host key for `[127.0.0.1]:port`.
    public let knownHostsPath: String
    public let hostKeyPath: String
    public let configPath: String
    public let logPath: String
    /// The folder clients may write to, as the client sees it.
    public let uploadPath = "/upload"

    /// sshd's PID while it runs.
    public private(set) var pid: pid_t?
    private var mounts: [String] = []

    /// Creates the drop box, keys and configuration and starts sshd.
    public init(options: Options = Options()) throws {
        self.options = options
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            throw HarnessError("OpenSSH server not found at /usr/sbin/sshd: install it with "
                + "`apt-get install -y openssh-server` (the SFTP tests need a real sshd)")
        }
        guard geteuid() == 0 else {
            throw HarnessError("the sshd test harness must run as root (sshd privilege separation and ChrootDirectory)")
        }
        let base = URL(fileURLWithPath: ProcessInfo.processInfo.environment["DDEXD_TEST_SSHD_DIR"]
            ?? "/var/lib/ddexd-test-sshd")
        try Self.makeRootOwnedDirectory(base)
        try Self.checkChrootSafe(base)
        try Self.makeRootOwnedDirectory(URL(fileURLWithPath: "/run/sshd"))

        root = base.appendingPathComponent(UUID().uuidString)
        dropBox = root.appendingPathComponent("dropbox")
        clientKeyPath = root.appendingPathComponent("client_ed25519").path
        knownHostsPath = root.appendingPathComponent("known_hosts").path
        hostKeyPath = root.appendingPathComponent("ssh_host_ed25519_key").path
        configPath = root.appendingPathComponent("sshd_config").path
        logPath = root.appendingPathComponent("sshd.log").path
        port = 0

        try Self.makeRootOwnedDirectory(root)
        try Self.makeRootOwnedDirectory(dropBox)
        try makeDropBoxDirectory("upload")
        try SSHTools.generateKey(type: "ed25519", at: hostKeyPath, comment: "ddexd-test-host")
        try SSHTools.generateKey(type: "ed25519", at: clientKeyPath, comment: "ddexd-test-client")
        try authorize(publicKeyPath: clientKeyPath + ".pub", replacing: true)

        try startOnFreePort()
        try writeKnownHosts()
    }

    deinit {
        stop()
        for mount in mounts.reversed() { _ = try? SSHTools.run("/bin/umount", ["-l", mount]) }
        try? FileManager.default.removeItem(at: root)
    }

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

    /// Starts sshd on the current port and waits until it listens.
    public func start() throws {
        guard !isRunning else { return }
        try writeConfiguration()
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw HarnessError("cannot create \(logPath)") }
        let pid = try SSHProcess.spawn("/usr/sbin/sshd", ["-D", "-e", "-f", configPath], stdout: log, stderr: log)
        close(log)
        self.pid = pid

        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let text = log_()
            if text.contains("Server listening on \(host) port \(port)") { return }
            var status: Int32 = 0
            if SSHProcess.hasExited(pid, status: &status) {
                self.pid = nil
                throw HarnessError("sshd exited with \(status): \(text)")
            }
            usleep(10_000)
        }
        stop()
        throw HarnessError("sshd did not start listening on port \(port) within 10 s: \(log_())")
    }

    /// Stops sshd and every session it forked (by PID, never by name), as a server crash would.
    public func stop() {
        guard let master = pid else { return }
        let sessions = Self.descendants(of: master)
        kill(master, SIGTERM)
        for session in sessions { kill(session, SIGKILL) }
        SSHProcess.wait(master)
        self.pid = nil
        // The sessions are sshd's children, reaped by sshd or, once it is gone, by init: wait until they vanish.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, sessions.contains(where: { kill($0, 0) == 0 && !Self.isZombie($0) }) {
            usleep(10_000)
        }
    }

    /// Freezes every open session (SIGSTOP), as a server that hangs without closing the connection.
    public func pauseSessions() {
        guard let master = pid else { return }
        for session in Self.descendants(of: master) { kill(session, SIGSTOP) }
    }

    /// Lets frozen sessions run again.
    public func resumeSessions() {
        guard let master = pid else { return }
        for session in Self.descendants(of: master) { kill(session, SIGCONT) }
    }

    /// CPU seconds used by sshd and by all of its sessions that have ended (user + system). Call
    /// `waitForSessionsToEnd()` first to count a session that just disconnected.
    public var cpuSeconds: Double {
        guard let master = pid, let fields = Self.statFields(of: master), fields.count > 14 else { return 0 }
        // Fields 14-17 of /proc/PID/stat: utime, stime, cutime, cstime (index = field - 3 after the command).
        let ticks = fields[11...14].compactMap { Double($0) }.reduce(0, +)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Waits (up to `seconds`) until sshd has no session processes left.
    public func waitForSessionsToEnd(seconds: Double = 5) {
        guard let master = pid else { return }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !Self.descendants(of: master).isEmpty { usleep(5_000) }
    }

    /// Stops and starts sshd on the same port.
    public func restart() throws {
        stop()
        try start()
    }

    /// Replaces the host key with a new one and restarts sshd. `knownHostsPath` keeps the old key, so clients
    /// using it must refuse the server.
    public func rotateHostKey() throws {
        try SSHTools.generateKey(type: "ed25519", at: hostKeyPath, comment: "ddexd-test-host-rotated")
        try restart()
    }

    /// sshd's log so far.
    public var log: String { log_() }

    private func log_() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    // MARK: - Keys and files

    /// Writes a known_hosts line for the current host key to `path` (default `knownHostsPath`), optionally hashed
    /// with `ssh-keygen -H`.
    public func writeKnownHosts(to path: String? = nil, hashed: Bool = false, port: Int? = nil) throws {
        let target = path ?? knownHostsPath
        let port = port ?? self.port
        try Self.writeKnownHostsLine(host: host, port: port, publicKeyPath: hostKeyPath + ".pub", to: target)
        if hashed {
            try SSHTools.run("/usr/bin/ssh-keygen", ["-q", "-H", "-f", target])
            try? FileManager.default.removeItem(atPath: target + ".old")
        }
    }

    /// Writes a known_hosts line pinning the public key at `publicKeyPath` for `[host]:port`.
    public static func writeKnownHostsLine(host: String, port: Int, publicKeyPath: String, to path: String) throws {
        let fields = try String(contentsOfFile: publicKeyPath, encoding: .utf8).split(separator: " ")
        guard fields.count >= 2 else { throw HarnessError("unreadable host public key \(publicKeyPath)") }
        try "[\(host)]:\(port) \(fields[0]) \(fields[1])\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The host key's fingerprint as `ssh-keygen -lf` prints it.
    public func hostKeyFingerprint() throws -> String {
        try SSHTools.fingerprint(ofPublicKey: hostKeyPath + ".pub")
    }

    /// Adds (or, with `replacing`, sets) a public key in the authorized_keys file.
    public func authorize(publicKeyPath: String, replacing: Bool = false) throws {
        let file = root.appendingPathComponent("authorized_keys").path
        let line = try String(contentsOfFile: publicKeyPath, encoding: .utf8)
        let existing = replacing ? "" : ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
        try (existing + line).write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
    }

    /// Generates another client key (`ssh-keygen -t type`) in the harness folder, authorises it, returns its path.
    public func makeClientKey(type: String, name: String? = nil) throws -> String {
        let path = root.appendingPathComponent(name ?? "client_\(type)").path
        try SSHTools.generateKey(type: type, at: path)
        try authorize(publicKeyPath: path + ".pub")
        return path
    }

    /// The local path of a path as the SFTP client sees it.
    public func localPath(_ remotePath: String) -> String {
        options.chroot ? dropBox.path + "/" + remotePath.drop(while: { $0 == "/" }) : remotePath
    }

    /// Creates a folder in the drop box owned by the login user (`writable`) or by root with mode 0755.
    @discardableResult
    public func makeDropBoxDirectory(_ relativePath: String, writable: Bool = true) throws -> String {
        let url = dropBox.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o755)
        if writable, let account = getpwnam(options.user) {
            chown(url.path, account.pointee.pw_uid, account.pointee.pw_gid)
        }
        return url.path
    }

    /// Mounts a tmpfs of `bytes` at a drop-box folder (to fill a disk), unmounted when the server goes away.
    public func mountTinyFilesystem(at relativePath: String, bytes: Int) throws {
        let path = try makeDropBoxDirectory(relativePath)
        var account = ""
        if let entry = getpwnam(options.user) { account = ",uid=\(entry.pointee.pw_uid),gid=\(entry.pointee.pw_gid)" }
        try SSHTools.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0755\(account)", "tmpfs", path])
        mounts.append(path)
    }

    // MARK: - Set-up details

    private func startOnFreePort() throws {
        var lastError: Error?
        for _ in 0..<5 {
            port = try Self.freePort()
            do {
                try start()
                return
            } catch {
                // Another process may have taken the port between probing and sshd's bind: try another one.
                lastError = error
                guard log_().contains("Address already in use") else { throw error }
            }
        }
        throw lastError ?? HarnessError("no free port")
    }

    private func writeConfiguration() throws {
        var lines = [
            "ListenAddress \(host)",
            "Port \(port)",
            "HostKey \(hostKeyPath)",
            "PidFile \(root.path)/sshd.pid",
            "AuthorizedKeysFile \(root.path)/authorized_keys",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "AllowTcpForwarding no",
            "X11Forwarding no",
            "MaxStartups 64",
            "LogLevel VERBOSE",
            "Subsystem sftp internal-sftp",
        ]
        if options.chroot {
            lines += ["ChrootDirectory \(dropBox.path)", "ForceCommand internal-sftp"]
        }
        lines += options.extraConfiguration
        try (lines.joined(separator: "\n") + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    static func makeRootOwnedDirectory(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chown(url.path, 0, 0)
        chmod(url.path, 0o755)
    }

    /// sshd refuses a chroot (and, with StrictModes, keys) below a folder that is not root-owned or is writable by
    /// group or others.
    static func checkChrootSafe(_ url: URL) throws {
        var path = url.standardizedFileURL.path
        while true {
            var info = stat()
            guard lstat(path, &info) == 0 else { throw HarnessError("cannot stat \(path)") }
            if info.st_uid != 0 || info.st_mode & 0o022 != 0 {
                throw HarnessError("\(path) must be owned by root and not group/other-writable for sshd's "
                    + "ChrootDirectory; set DDEXD_TEST_SSHD_DIR to a folder that is")
            }
            if path == "/" { return }
            path = (path as NSString).deletingLastPathComponent
        }
    }

    /// Binds port 0 on 127.0.0.1 to let the kernel pick a free port, then releases it for sshd.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket(): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HarnessError("bind(): \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// All processes below `pid` (sshd's per-connection monitors and their sessions), from /proc.
    static func descendants(of pid: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let child = Int32(entry), let parent = parentPID(of: child) else { continue }
            children[parent, default: []].append(child)
        }
        var result: [Int32] = []
        var queue = [pid]
        while let next = queue.popLast() {
            for child in children[next] ?? [] {
                result.append(child)
                queue.append(child)
            }
        }
        return result
    }

    private static func statFields(of pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm) ": state, ppid, …; comm may contain spaces, hence the last ")".
        return text[text.index(after: close)...].split(separator: " ")
    }

    private static func parentPID(of pid: Int32) -> Int32? {
        guard let fields = statFields(of: pid), fields.count > 1 else { return nil }
        return Int32(fields[1])
    }

    static func isZombie(_ pid: Int32) -> Bool {
        statFields(of: pid)?.first == "Z"
    }
}

/// A harness set-up failure, with what to do about it.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
