import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An SFTP server on 127.0.0.1 that looks like a DSP's drop box, whatever software it runs (OpenSSH `SSHServer`,
/// ProFTPD mod_sftp `ProFTPDServer`, asyncssh `AsyncSSHServer`), so one test or benchmark runs against each.
///
/// Each pins its host key in `knownHostsPath`, authorises the ed25519 key at `clientKeyPath`, and gives the client a
/// writable `uploadPath`. Not thread-safe: drive a server from one thread.
public protocol DropBoxServer: AnyObject, Sendable {
    /// The software, for messages (`OpenSSH`, `ProFTPD mod_sftp`, `asyncssh`).
    var software: String { get }
    var host: String { get }
    var port: Int { get }
    var user: String { get }
    var clientKeyPath: String { get }
    var knownHostsPath: String { get }
    /// The folder clients may write to, as the client sees it.
    var uploadPath: String { get }
    /// The local path of a path as the SFTP client sees it.
    func localPath(_ remotePath: String) -> String
    /// Starts the server on its port (again, after `stop`) and waits until it listens.
    func start() throws
    /// Stops the server and every session it runs, as a crash would.
    func stop()
    /// The server's log so far.
    var log: String { get }
}

extension SSHServer: DropBoxServer {
    public var software: String { "OpenSSH" }
}

extension DropBoxServer {
    /// Stops and starts the server on the same port.
    public func restart() throws {
        stop()
        try start()
    }

    /// Writes a file into the drop box as the server's own user would find it (`remotePath` as the client sees it),
    /// creating its folders.
    public func place(_ data: Data, at remotePath: String) throws {
        let url = URL(fileURLWithPath: localPath(remotePath))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }
}

/// A server process started by the harness: spawned with its output in a log file, waited for until its port
/// accepts connections, stopped by its PID with every process below it.
final class LoopbackServerProcess {
    let executable: String
    let arguments: [String]
    let logPath: String
    private(set) var pid: pid_t?

    init(executable: String, arguments: [String], logPath: String) {
        self.executable = executable
        self.arguments = arguments
        self.logPath = logPath
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    var isRunning: Bool {
        guard let pid else { return false }
        var status: Int32 = 0
        if SSHProcess.hasExited(pid, status: &status) {
            self.pid = nil
            return false
        }
        return true
    }

    /// Starts the process and waits (10 s at most) until 127.0.0.1:`port` accepts a connection.
    func start(port: Int, environment: [String: String] = [:]) throws {
        guard !isRunning else { return }
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw HarnessError("cannot create \(logPath)") }
        pid = try SSHProcess.spawn(executable, arguments, stdout: log, stderr: log)
        close(log)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.accepts(port: port) { return }
            guard isRunning else { throw HarnessError("\(executable) exited at start: \(self.log)") }
            usleep(20_000)
        }
        stop()
        throw HarnessError("\(executable) did not listen on port \(port) within 10 s: \(self.log)")
    }

    /// SIGKILLs the process and everything below it (by PID, never by name) and waits until they are gone.
    func stop() {
        guard let master = pid else { return }
        let children = SSHServer.descendants(of: master)
        kill(master, SIGKILL)
        for child in children { kill(child, SIGKILL) }
        _ = SSHProcess.wait(master)
        pid = nil
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, children.contains(where: { kill($0, 0) == 0 && !SSHServer.isZombie($0) }) {
            usleep(10_000)
        }
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
