import Crypto
import DDEXModel
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file operation that failed while building a bundle.
public struct BundleIOError: CodedError, Equatable {
    public var path: String
    public var message: String
    public var code: String { ProblemCode.bundleIOFailed.rawValue }
    public var description: String { "\(path): \(message)" }

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    static func errno(_ path: String, _ what: String) -> BundleIOError {
        BundleIOError(path: path, message: "\(what): \(String(cString: strerror(Glibc.errno)))")
    }
}

/// The few file operations bundling needs, on POSIX calls so failures carry `errno`.
enum FileOperations {
    /// How a resource got into the bundle.
    enum Placement { case hardLink, copy }

    /// Hard-links `source` to `destination`; copies when the two are on different file systems or links are
    /// refused. The source is never modified.
    static func linkOrCopy(from source: String, to destination: String) throws(BundleIOError) -> Placement {
        if link(source, destination) == 0 { return .hardLink }
        let e = Glibc.errno
        guard e == EXDEV || e == EPERM || e == EMLINK || e == ENOTSUP || e == EACCES else {
            throw .errno(destination, "cannot link \(source)")
        }
        try copy(from: source, to: destination)
        return .copy
    }

    /// Streams `source` into a new `destination` (1 MiB buffer) and fsyncs it.
    static func copy(from source: String, to destination: String) throws(BundleIOError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .errno(source, "cannot open") }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .errno(destination, "cannot create") }
        defer { close(output) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer, size)
            if n == 0 { break }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw .errno(source, "cannot read")
            }
            var done = 0
            while done < n {
                let w = write(output, buffer + done, n - done)
                if w < 0 {
                    if Glibc.errno == EINTR { continue }
                    throw .errno(destination, "cannot write")
                }
                done += w
            }
        }
        guard fsync(output) == 0 else { throw .errno(destination, "cannot sync") }
    }

    /// Size in bytes of a regular file, or nil when it does not exist or is not a regular file.
    static func regularFileSize(_ path: String) -> UInt64? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt64(st.st_size)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func makeDirectory(_ path: String) throws(BundleIOError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw BundleIOError(path: path, message: "cannot create the folder: \(error.localizedDescription)")
        }
    }

    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `rename(2)`: atomic within one file system.
    static func rename(_ from: String, _ to: String) throws(BundleIOError) {
        guard Glibc.rename(from, to) == 0 else { throw .errno(to, "cannot rename \(from) into place") }
    }

    /// fsyncs a folder so a rename inside it survives a crash.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Writes `bytes` to `path` through a temporary file and a rename: readers see all of it or nothing.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(BundleIOError) {
        let folder = (path as NSString).deletingLastPathComponent
        let temp = folder + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .errno(temp, "cannot create") }
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if Glibc.errno == EINTR { continue }
                    return false
                }
                done += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok else {
            let error = BundleIOError.errno(temp, "cannot write")
            unlink(temp)
            throw error
        }
        do throws(BundleIOError) {
            try rename(temp, path)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// MD5 and SHA-256 of a file ddexd wrote itself (an ERN or a manifest: kilobytes, not resources).
    static func digest(ofFileAt path: String) throws(BundleIOError) -> FileDigest {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .errno(path, "cannot open") }
        defer { close(fd) }
        var md5 = Insecure.MD5()
        var sha = SHA256()
        var size: UInt64 = 0
        let chunk = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, chunk)
            if n == 0 { break }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw .errno(path, "cannot read")
            }
            let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
            md5.update(bufferPointer: bytes)
            sha.update(bufferPointer: bytes)
            size += UInt64(n)
        }
        return FileDigest(size: size, md5: hex(md5.finalize()), sha256: hex(sha.finalize()))
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        let table = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(table[Int(b >> 4)])
            out.append(table[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
