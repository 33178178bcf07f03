import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An asyncssh SFTP server (Python, Debian's `python3-asyncssh`) on 127.0.0.1 as a DSP drop box: the kind of
/// server a DSP writes itself. It refuses any request before authentication is complete, answers SFTP version 3
/// with its extensions (hardlink, posix-rename, fsync, statvfs), and chroots the client into the drop box.
///
/// `renameReplaces` makes its SFTP rename replace an existing target (POSIX rename, as Go's pkg/sftp server and
/// ProFTPD with `AllowOverwrite on` do) and `offersHardlink: false` withholds `hardlink@openssh.com`: together, a
/// server where nothing refuses an existing target. `refusesReopening` refuses opening an existing file for
/// writing unless appending (as some MFT gateways do).
///
/// Needs `python3` and `python3-asyncssh`; without them `init` throws with the install hint.
public final class AsyncSSHServer: DropBoxServer, @unchecked Sendable {
    public let software = "asyncssh"
    public let host = "127.0.0.1"
    public private(set) var port = 0
    public let user = "ddexd"
    public let uploadPath = "/upload"
    private let folder: DropBoxFolder
    private var process: LoopbackServerProcess?
    public var root: URL { folder.root }
    public var dropBox: URL { folder.dropBox }
    public var clientKeyPath: String { folder.clientKeyPath }
    public var knownHostsPath: String { folder.knownHostsPath }

    public static let installHint = "apt-get install -y python3 python3-asyncssh"

    public init(renameReplaces: Bool = false, offersHardlink: Bool = true, refusesReopening: Bool = false) throws {
        let check = try? SSHProcess.run("/usr/bin/python3", ["-c", "import asyncssh; print(asyncssh.__version__)"])
        guard let check, check.status == 0 else {
            throw HarnessError("python3 with asyncssh not found (/usr/bin/python3 -c 'import asyncssh' failed): "
                + "install it with `\(Self.installHint)`")
        }
        folder = try DropBoxFolder(prefix: "asyncssh")
        let script = folder.path("dropbox_server.py")
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let flags = [renameReplaces, offersHardlink, refusesReopening].map { $0 ? "1" : "0" }
        let (hostKey, clientKey, box, log) = (folder.hostKeyPath, folder.clientKeyPath + ".pub", folder.dropBox.path,
                                              folder.path("asyncssh.log"))
        port = try folder.startOnFreePort(host: host, { port in
            process = LoopbackServerProcess(executable: "/usr/bin/python3",
                                            arguments: ["-u", script, String(port), hostKey, clientKey, box] + flags,
                                            logPath: log)
            self.port = port
            try start()
        }, stop: stop)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: root)
    }

    public func start() throws { try process?.start(port: port) }
    public func stop() { process?.stop() }
    public var isRunning: Bool { process?.isRunning ?? false }
    public var log: String { process?.log ?? "" }
    public func localPath(_ remotePath: String) -> String { folder.localPath(remotePath) }

    /// The server: arguments port, host key, authorised client key, drop box, and the rename-replaces, hardlink and
    /// refuses-reopening flags.
    static let script = #"""
        import asyncio, logging, sys
        import asyncssh

        port, host_key, authorized, chroot = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
        rename_replaces, offers_hardlink, refuses_reopening = (flag == "1" for flag in sys.argv[5:8])
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

        if not offers_hardlink:
            handler = asyncssh.sftp.SFTPServerHandler
            handler._extensions = [e for e in handler._extensions if e[0] != b"hardlink@openssh.com"]

        class DropBox(asyncssh.SFTPServer):
            def __init__(self, chan):
                super().__init__(chan, chroot=chroot.encode())

            if rename_replaces:
                def rename(self, oldpath, newpath):
                    return self.posix_rename(oldpath, newpath)

            if refuses_reopening:
                def open(self, path, pflags, attrs):
                    import os
                    writing = pflags & asyncssh.FXF_WRITE and not pflags & asyncssh.FXF_APPEND
                    if writing and os.path.exists(self.map_path(path)):
                        raise asyncssh.SFTPPermissionDenied("reopening an existing file is refused; append to it")
                    return super().open(path, pflags, attrs)

        async def main():
            await asyncssh.listen("127.0.0.1", port, server_host_keys=[host_key],
                                  authorized_client_keys=authorized, sftp_factory=DropBox, allow_scp=False)
            print("listening on", port, flush=True)
            await asyncio.Future()

        asyncio.run(main())
        """#
}
