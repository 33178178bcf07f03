import DDEXModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A DSP folder on the local file system (a mounted drop box, or a dry run), with the same semantics as
/// SFTP: resumable writes, and renames that never overwrite (link + unlink: atomic, fails if the target exists).
public final class LocalFolderTransport: DeliveryTransport, Sendable {
    public let root: String
    private static let chunk = 1 << 20

    /// A transport whose paths are relative to the local folder `root` (created by `connect()` when missing).
    public init(root: String) { self.root = root }

    /// The checked absolute path: `..`, `.`, empty components and NUL are refused, so no name leaves the root.
    private func absolute(_ path: String) throws(TransportError) -> String { try TransportPath.join(root, path) }

    public func connect() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            // A missing root is created: the example configuration's dry-run folders start empty.
            try makeDirectories("")
            return
        }
    }

    public func close() {}

    public func makeDirectories(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: try absolute(path), withIntermediateDirectories: true)
        } catch {
            throw Self.error(errno == 0 ? EACCES : errno, "mkdir", path)
        }
    }

    public func fileSize(_ path: String) throws -> UInt64? {
        let file = try absolute(path)
        var info = stat()
        guard lstat(file, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw Self.error(errno, "stat", file)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw TransportError(.remoteConflict, code: "TRANSPORT_NOT_A_FILE", path: file, message: "is not a regular file")
        }
        return UInt64(info.st_size)
    }

    public func list(_ directory: String) throws -> [RemoteEntry] {
        let folder = try absolute(directory)
        guard let dir = opendir(folder) else { throw Self.error(errno, "opendir", folder) }
        defer { closedir(dir) }
        var out: [RemoteEntry] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var info = stat()
            guard lstat(folder + "/" + name, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            guard type == S_IFREG || type == S_IFDIR else { continue }
            out.append(RemoteEntry(name: name, isDirectory: type == S_IFDIR, size: UInt64(info.st_size),
                                   modified: Double(info.st_mtim.tv_sec)))
        }
        return out.sorted { $0.name < $1.name }
    }

    public func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64) throws {
        try copy(from: localPath, to: try absolute(remotePath), offset: offset, operation: "upload")
    }

    public func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64) throws {
        try copy(from: try absolute(remotePath), to: localPath, offset: offset, operation: "download")
    }

    public func rename(_ source: String, to destination: String) throws {
        let from = try absolute(source), to = try absolute(destination)
        guard link(from, to) == 0 else {
            if errno == EEXIST { throw TransportError.exists(to) }
            throw Self.error(errno, "rename", from)
        }
        guard unlink(from) == 0 else { throw Self.error(errno, "rename", from) }
    }

    public func remove(_ path: String) throws {
        let file = try absolute(path)
        guard unlink(file) == 0 else { throw Self.error(errno, "remove", file) }
    }

    private func copy(from source: String, to destination: String, offset: UInt64, operation: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Self.error(errno, operation, source) }
        defer { Glibc.close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw Self.error(errno, operation, destination) }
        var closed = false
        defer { if !closed { Glibc.close(output) } }
        // Resume: drop anything past `offset` (a torn tail), then append from there.
        guard ftruncate(output, off_t(offset)) == 0 else { throw Self.error(errno, operation, destination) }
        var position = off_t(offset)
        var buffer = [UInt8](repeating: 0, count: Self.chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress, Self.chunk, position) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.error(errno, operation, source)
            }
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = buffer.withUnsafeBytes { pwrite(output, $0.baseAddress! + written, n - written, position + off_t(written)) }
                if w < 0 {
                    if errno == EINTR { continue }
                    throw Self.error(errno, operation, destination)
                }
                written += w
            }
            position += off_t(n)
        }
        guard fsync(output) == 0 else { throw Self.error(errno, operation, destination) }
        closed = true
        guard Glibc.close(output) == 0 else { throw Self.error(errno, operation, destination) }
    }

    /// Maps errno to a coded error: full disks and I/O trouble are worth retrying, permissions and
    /// missing files are not.
    static func error(_ code: Int32, _ operation: String, _ path: String) -> TransportError {
        let message = "\(operation) \(path): \(String(cString: strerror(code)))"
        switch code {
        case ENOSPC, EDQUOT: return TransportError(.noSpace, code: "TRANSPORT_DISK_FULL", message: message)
        case EACCES, EPERM, EROFS: return TransportError(.permissionDenied, code: "TRANSPORT_PERMISSION_DENIED", message: message)
        case ENOENT, ENOTDIR: return TransportError(.notFound, code: "TRANSPORT_NO_SUCH_FILE", message: message)
        case EEXIST: return TransportError(.fileExists, code: "TRANSPORT_FILE_EXISTS", message: message)
        default: return TransportError(.serverFailure, code: "TRANSPORT_IO", message: message)
        }
    }
}
