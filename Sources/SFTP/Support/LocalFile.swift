import Glibc

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
