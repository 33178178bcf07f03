import CLibSSH2
import Glibc

extension SFTPClient {
    /// Uploads a local file to `remotePath`, streaming it in `writeChunkSize` pieces (memory stays at one chunk).
    ///
    /// With `resumeFrom` = 0 the remote file is created or truncated; with an offset the remote file is kept,
    /// and writing continues at that offset with the local bytes from the same offset (use the remote size of a
    /// partly uploaded file). Returns the number of bytes the remote file should now hold (the local size).
    /// `progress` is called after every chunk with the bytes written so far (counting the resumed part).
    @discardableResult
    public func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64 = 0,
                       progress: ((UInt64) -> Void)? = nil) throws(SFTPError) -> UInt64
    {
        let connection = try live(operation: "upload", path: remotePath)
        let local = try LocalFile(openForReading: localPath, operation: "upload")
        defer { local.close() }
        let size = try local.size()
        guard offset <= size else {
            throw SFTPError(.invalidArgument, operation: "upload", path: remotePath,
                            message: "cannot resume at byte \(offset): \(localPath) has only \(size) bytes")
        }

        let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT) | (offset == 0 ? UInt(LIBSSH2_FXF_TRUNC) : 0)
        let handle = remotePath.withCString {
            libssh2_sftp_open_ex(connection.sftp, $0, UInt32(remotePath.utf8.count), flags, 0o644,
                                 LIBSSH2_SFTP_OPENFILE)
        }
        guard let handle else { throw noting(connection.error(operation: "upload", path: remotePath)) }
        var handleOpen = true
        defer { if handleOpen { closeHandle(handle) } }
        if offset > 0 {
            libssh2_sftp_seek64(handle, offset)
            try local.seek(to: offset)
        }

        // A sliding window over the file: `buffer[start..<end]` holds the bytes from `acknowledged` on. libssh2
        // turns every byte passed to `libssh2_sftp_write` into queued 30,000-byte packets, returns once some are
        // acknowledged, and on the next call skips the bytes it has already queued, so the unacknowledged bytes must
        // be passed again, unchanged, at the front. Topping the window up to two chunks whenever it falls to one
        // keeps one to two chunks in flight: the pipe never drains between chunks, and every call passes at least
        // one chunk (≥ 1 MiB) until the end of the file. Memory: two chunks, whatever the file size.
        let chunkSize = max(configuration.writeChunkSize, SFTPClientConfiguration.minimumWriteChunkSize)
        let capacity = 2 * chunkSize
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var start = 0, end = 0
        var acknowledged = offset, readUpTo = offset, reported = offset
        while acknowledged < size {
            if end - start <= chunkSize, readUpTo < size {
                if start > 0 {
                    memmove(buffer, buffer.advanced(by: start), end - start)
                    end -= start
                    start = 0
                }
                let count = try local.read(into: buffer.advanced(by: end),
                                           count: Int(min(UInt64(capacity - end), size - readUpTo)))
                guard count > 0 else {
                    throw SFTPError(.localIO, operation: "upload", path: localPath,
                                    message: "the file shrank while it was uploaded (ended at byte \(readUpTo), "
                                        + "expected \(size))")
                }
                end += count
                readUpTo += UInt64(count)
                try keepalive(connection)
            }
            let rc = libssh2_sftp_write(handle, buffer.advanced(by: start).assumingMemoryBound(to: CChar.self),
                                        end - start)
            guard rc >= 0 else {
                throw noting(connection.error(rc, operation: "upload", path: remotePath, duringWrite: true))
            }
            start += rc
            acknowledged += UInt64(rc)
            if acknowledged - reported >= UInt64(chunkSize) || acknowledged == size {
                reported = acknowledged
                progress?(acknowledged)
            }
        }

        handleOpen = false
        let rc = libssh2_sftp_close_handle(handle)
        guard rc == 0 else {
            throw noting(connection.error(Int(rc), operation: "upload (close)", path: remotePath, duringWrite: true))
        }
        return size
    }

    /// Downloads `remotePath` to a local file, streaming it in `readChunkSize` pieces.
    ///
    /// With `resumeFrom` = 0 the local file is created or truncated; with an offset the local file is cut to that
    /// length and the rest is appended. Returns the local file's final size.
    @discardableResult
    public func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64 = 0,
                         progress: ((UInt64) -> Void)? = nil) throws(SFTPError) -> UInt64
    {
        let connection = try live(operation: "download", path: remotePath)
        let handle = remotePath.withCString {
            libssh2_sftp_open_ex(connection.sftp, $0, UInt32(remotePath.utf8.count), UInt(LIBSSH2_FXF_READ), 0,
                                 LIBSSH2_SFTP_OPENFILE)
        }
        guard let handle else { throw noting(connection.error(operation: "download", path: remotePath)) }
        defer { closeHandle(handle) }

        let local = try LocalFile(openForWriting: localPath, truncateTo: offset, operation: "download")
        defer { local.close() }
        if offset > 0 { libssh2_sftp_seek64(handle, offset) }

        let chunkSize = max(configuration.readChunkSize, 64 * 1024)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var received = offset
        while true {
            let rc = libssh2_sftp_read(handle, buffer.assumingMemoryBound(to: CChar.self), chunkSize)
            if rc == 0 { break }
            guard rc > 0 else { throw noting(connection.error(rc, operation: "download", path: remotePath)) }
            try local.write(buffer, count: rc)
            received += UInt64(rc)
            progress?(received)
            try keepalive(connection)
        }
        return received
    }
}

/// A local file descriptor with errors in `SFTPError` terms.
struct LocalFile {
    let fd: Int32
    let path: String
    let operation: String

    init(openForReading path: String, operation: String) throws(SFTPError) {
        self.path = path
        self.operation = operation
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(operation: operation, path: path, "cannot open for reading") }
    }

    init(openForWriting path: String, truncateTo length: UInt64, operation: String) throws(SFTPError) {
        self.path = path
        self.operation = operation
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.error(operation: operation, path: path, "cannot open for writing") }
        guard ftruncate(fd, off_t(length)) == 0, lseek(fd, off_t(length), SEEK_SET) >= 0 else {
            let error = Self.error(operation: operation, path: path, "cannot cut to \(length) bytes")
            Glibc.close(fd)
            throw error
        }
    }

    func close() { Glibc.close(fd) }

    func size() throws(SFTPError) -> UInt64 {
        var info = Glibc.stat()
        guard fstat(fd, &info) == 0 else { throw Self.error(operation: operation, path: path, "cannot stat") }
        return UInt64(info.st_size)
    }

    func seek(to offset: UInt64) throws(SFTPError) {
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            throw Self.error(operation: operation, path: path, "cannot seek to \(offset)")
        }
    }

    /// Fills `buffer` with up to `count` bytes (fewer only at the end of the file).
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(SFTPError) -> Int {
        var filled = 0
        while filled < count {
            let n = Glibc.read(fd, buffer.advanced(by: filled), count - filled)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.error(operation: operation, path: path, "cannot read")
            }
            filled += n
        }
        return filled
    }

    func write(_ buffer: UnsafeRawPointer, count: Int) throws(SFTPError) {
        var done = 0
        while done < count {
            let n = Glibc.write(fd, buffer.advanced(by: done), count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.error(operation: operation, path: path, "cannot write")
            }
            done += n
        }
    }

    static func error(operation: String, path: String, _ what: String) -> SFTPError {
        let code = errno
        let full = code == ENOSPC || code == EDQUOT
        return SFTPError(full ? .diskFull : .localIO, operation: operation, path: path,
                         message: "local file: \(what): \(errnoText(code))")
    }
}
