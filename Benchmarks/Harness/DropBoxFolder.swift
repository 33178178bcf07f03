import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The private folder of a drop-box server the harness starts (under `/var/lib/ddexd-test-sshd/`, or
/// `$DDEXD_TEST_SSHD_DIR`, root-owned as chroots require): its ed25519 host key, the client's ed25519 key, the
/// known_hosts file pinning the host key, and the drop box with a writable `upload/`.
struct DropBoxFolder {
    let root: URL
    let dropBox: URL
    let clientKeyPath: String
    let knownHostsPath: String
    let hostKeyPath: String

    /// Creates it all; `owner` (uid, gid) owns the drop box and `upload/` (the server's login user).
    init(prefix: String, owner: (uid_t, gid_t)? = nil) throws {
        let base = URL(fileURLWithPath: ProcessInfo.processInfo.environment["DDEXD_TEST_SSHD_DIR"]
            ?? "/var/lib/ddexd-test-sshd")
        try SSHServer.makeRootOwnedDirectory(base)
        root = base.appendingPathComponent(prefix + "-" + UUID().uuidString)
        dropBox = root.appendingPathComponent("dropbox")
        clientKeyPath = root.appendingPathComponent("client_ed25519").path
        knownHostsPath = root.appendingPathComponent("known_hosts").path
        hostKeyPath = root.appendingPathComponent("ssh_host_ed25519_key").path
        try SSHServer.makeRootOwnedDirectory(root)
        try FileManager.default.createDirectory(at: dropBox.appendingPathComponent("upload"),
                                                withIntermediateDirectories: true)
        if let (uid, gid) = owner {
            for folder in [dropBox.path, dropBox.appendingPathComponent("upload").path] { chown(folder, uid, gid) }
        }
        try SSHTools.generateKey(type: "ed25519", at: hostKeyPath, comment: "ddexd-test-\(prefix)")
        try SSHTools.generateKey(type: "ed25519", at: clientKeyPath, comment: "ddexd-test-client")
    }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// The local path of a path as a chrooted client sees it.
    func localPath(_ remotePath: String) -> String {
        dropBox.path + "/" + remotePath.drop(while: { $0 == "/" })
    }

    /// Starts a server with `start(port)` on a free port, trying other ports when one is taken between probing and
    /// binding; pins the host key for the port that worked and returns it.
    func startOnFreePort(host: String, _ start: (Int) throws -> Void, stop: () -> Void) throws -> Int {
        var lastError: Error?
        for _ in 0..<5 {
            let port = try SSHServer.freePort()
            do {
                try start(port)
                try SSHServer.writeKnownHostsLine(host: host, port: port, publicKeyPath: hostKeyPath + ".pub",
                                                  to: knownHostsPath)
                return port
            } catch {
                lastError = error
                stop()
            }
        }
        throw lastError ?? HarnessError("the server did not start")
    }
}
