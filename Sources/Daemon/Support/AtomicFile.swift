import DDEXModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that readers see either the old or the new content, never a torn write:
/// write a temporary file in the same folder, fsync it, rename it over the target, fsync the folder.
public enum AtomicFile {
    /// Replaces `path` with `data` atomically and durably, creating its folder; throws `AtomicFileError`.
    public static func write(_ data: Data, to path: String, permissions: mode_t = 0o644) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw AtomicFileError(path: temporary, operation: "create", errno: errno) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let e = errno
                    close(fd)
                    throw AtomicFileError(path: temporary, operation: "write", errno: e)
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else {
            let e = errno
            close(fd)
            throw AtomicFileError(path: temporary, operation: "fsync", errno: e)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw AtomicFileError(path: path, operation: "rename", errno: errno) }
        ok = true
        let dirfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }
}

/// A status or report file that could not be written in place atomically (`FILE_WRITE_FAILED`), with the failing
/// system call and its errno.
public struct AtomicFileError: CodedError {
    public let path: String
    public let operation: String
    public let errno: Int32
    public var code: String { "FILE_WRITE_FAILED" }
    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}
