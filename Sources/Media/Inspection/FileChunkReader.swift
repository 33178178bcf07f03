#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a regular file front to back in fixed-size chunks into one reused buffer (POSIX `read`).
///
/// Opening never blocks (a FIFO at the path would otherwise wait for a writer) and anything but a regular
/// file is refused before a byte is read.
final class FileChunkReader {
    let path: String
    let displayPath: String
    let size: UInt64
    private let fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer

    init(path: String, displayPath: String, chunkSize: Int) throws(MediaError) {
        self.path = path
        self.displayPath = displayPath
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let e = errno
            throw MediaError(.mediaUnreadable, path: displayPath, "cannot open the file: \(String(cString: strerror(e)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw MediaError(.mediaUnreadable, path: displayPath, "cannot stat the file: \(String(cString: strerror(e)))")
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw MediaError(.mediaUnreadable, path: displayPath, "not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        self.fd = fd
        self.size = UInt64(st.st_size)
        self.buffer = .allocate(byteCount: max(chunkSize, 4096), alignment: 4096)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// The next chunk (valid until the next call), or nil at the end of the file.
    func next() throws(MediaError) -> UnsafeRawBufferPointer? {
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return UnsafeRawBufferPointer(rebasing: buffer[0..<n]) }
            if n == 0 { return nil }
            let e = errno
            if e == EINTR { continue }
            throw MediaError(.mediaUnreadable, path: displayPath, "read error: \(String(cString: strerror(e)))")
        }
    }
}
