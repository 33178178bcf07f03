import DDEXModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a spool (`state/ddexd.lock`, `flock`), held by the daemon for its lifetime and by
/// one-shot commands that move work (`deliver`, `poll`) for theirs. Crash recovery (resuming interrupted
/// deliveries) is only safe while no other process works on the same spool. The kernel drops the lock
/// when the process dies, so a `kill -9` never leaves a stale lock behind.
public final class SpoolLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    /// Takes the lock (`<stateFolder>/<name>`) or throws `SPOOL_LOCKED` naming the holder's pid.
    public init(stateFolder: String, name: String = "ddexd.lock") throws {
        try FileManager.default.createDirectory(atPath: stateFolder, withIntermediateDirectories: true)
        path = stateFolder + "/" + name
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SpoolLockError(code: "SPOOL_LOCK_FAILED", description: "\(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = read(fd, &buffer, 31)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            throw SpoolLockError(code: "SPOOL_LOCKED",
                                 description: "another ddexd process (pid \(holder)) is working on this spool (\(path)); stop it or wait")
        }
        let pid = "\(getpid())\n"
        ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Why the spool lock was not taken: `SPOOL_LOCKED` (another ddexd works on this spool; exit 2) or
/// `SPOOL_LOCK_FAILED` (the lock file could not be opened or locked).
public struct SpoolLockError: CodedError {
    public let code: String
    public let message: String
    public var description: String { "\(code): \(message)" }

    init(code: String, description: String) {
        self.code = code
        message = description
    }
}
