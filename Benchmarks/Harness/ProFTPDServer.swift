import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// ProFTPD's mod_sftp (`/usr/sbin/proftpd -n`) on 127.0.0.1 as a DSP drop box, with the built-in defaults DSPs run
/// with, above all `AllowOverwrite off`: an existing file may not be opened for writing again, and a rename may not
/// replace one. A virtual user (`AuthUserFile`, uid/gid of `nobody`) logs in with an ed25519 key (RFC 4716 form in
/// `SFTPAuthorizedUserKeys`) and is chrooted (`DefaultRoot ~`) into the drop box, which has a writable `upload/`.
///
/// Needs root and Debian's `proftpd-core` + `proftpd-mod-crypto`; without them `init` throws with the install hint.
public final class ProFTPDServer: DropBoxServer, @unchecked Sendable {
    public let software = "ProFTPD mod_sftp"
    public let host = "127.0.0.1"
    public private(set) var port = 0
    public let user = "ddexd"
    public let uploadPath = "/upload"
    private let folder: DropBoxFolder
    private let process: LoopbackServerProcess
    public var root: URL { folder.root }
    public var dropBox: URL { folder.dropBox }
    public var clientKeyPath: String { folder.clientKeyPath }
    public var knownHostsPath: String { folder.knownHostsPath }
    var configPath: String { folder.path("proftpd.conf") }
    /// Extra configuration lines (e.g. `AllowOverwrite on`).
    public let extraConfiguration: [String]

    public static let installHint = "apt-get install -y proftpd-core proftpd-mod-crypto"

    public init(extraConfiguration: [String] = []) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/proftpd"),
              FileManager.default.fileExists(atPath: "/usr/lib/proftpd/mod_sftp.so")
        else {
            throw HarnessError("ProFTPD with mod_sftp not found (/usr/sbin/proftpd, /usr/lib/proftpd/mod_sftp.so): "
                + "install it with `\(Self.installHint)`")
        }
        guard geteuid() == 0 else { throw HarnessError("the ProFTPD harness must run as root (chroot, user switch)") }
        self.extraConfiguration = extraConfiguration
        folder = try DropBoxFolder(prefix: "proftpd", owner: (65534, 65534))
        process = LoopbackServerProcess(executable: "/usr/sbin/proftpd", arguments: ["-n", "-c", folder.path("proftpd.conf")],
                                        logPath: folder.path("proftpd.out"))
        let keys = root.appendingPathComponent("authorized_keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        try SSHTools.run("/usr/bin/ssh-keygen", ["-e", "-f", clientKeyPath + ".pub"])
            .write(to: keys.appendingPathComponent(user), atomically: true, encoding: .utf8)
        try "\(user):*:65534:65534::\(dropBox.path):/bin/false\n"
            .write(toFile: folder.path("ftpd.passwd"), atomically: true, encoding: .utf8)
        try "nogroup:*:65534:\n".write(toFile: folder.path("ftpd.group"), atomically: true, encoding: .utf8)
        chmod(folder.path("ftpd.passwd"), 0o600)
        port = try folder.startOnFreePort(host: host, { port in
            self.port = port
            try writeConfiguration()
            try start()
        }, stop: stop)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: root)
    }

    public func start() throws { try process.start(port: port) }
    public func stop() { process.stop() }
    public var isRunning: Bool { process.isRunning }

    public var log: String {
        process.log + ((try? String(contentsOf: root.appendingPathComponent("sftp.log"), encoding: .utf8)) ?? "")
    }

    public func localPath(_ remotePath: String) -> String { folder.localPath(remotePath) }

    private func writeConfiguration() throws {
        let folder = root.path
        let lines: [String] = [
            "ServerType standalone", "ServerName \"ddexd test drop box\"", "DefaultServer on",
            "Port \(port)", "DefaultAddress \(host)", "SocketBindTight on", "UseIPv6 off", "UseReverseDNS off",
            "User nobody", "Group nogroup", "MaxInstances 64",
            "PidFile \(folder)/proftpd.pid", "ScoreboardFile \(folder)/proftpd.scoreboard", "DelayTable none",
            "WtmpLog off", "TransferLog none", "SystemLog \(folder)/proftpd.log",
            "ModulePath /usr/lib/proftpd", "LoadModule mod_sftp.c",
            "AuthOrder mod_auth_file.c", "AuthUserFile \(folder)/ftpd.passwd", "AuthGroupFile \(folder)/ftpd.group",
            "RequireValidShell off", "DefaultRoot ~",
            "SFTPEngine on", "SFTPLog \(folder)/sftp.log", "SFTPHostKey \(self.folder.hostKeyPath)",
            "SFTPAuthorizedUserKeys file:\(folder)/authorized_keys/%u", "SFTPAuthMethods publickey",
        ] + extraConfiguration
        try (lines.joined(separator: "\n") + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
    }
}
