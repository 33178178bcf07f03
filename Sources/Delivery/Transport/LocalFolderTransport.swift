import Foundation
import Glibc

/// A local folder standing in for a DSP's drop box: a mounted share, or a dry run.
///
/// Same semantics as `SFTPTransport`: `rename` is atomic and never overwrites (`renameat2(RENAME_NOREPLACE)`, or
/// `link` + `unlink` where the file system lacks it), uploads resume at an offset, errors carry stable codes
/// (`LOCAL_…`). File copies stream in 1 MiB pieces on the transport's own thread.
public actor LocalFolderTransport: DeliveryTransport {
    /// The folder transport paths are relative to.
    public nonisolated let root: URL
    public nonisolated let displayName: String

    private nonisolated let executor: IOThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private static let chunkSize = 1 << 20

    public init(root: URL) {
        self.root = root.standardizedFileURL
        self.displayName = "file://" + root.standardizedFileURL.path
        self.executor = IOThreadExecutor(name: "ddexd-local \(root.lastPathComponent)")
    }

    deinit {
        executor.shutdown()
    }

    /// Checks that the root folder exists.
    public func connect() throws(TransportError) {
        var info = POSIXFileStatus()
        guard posixStat(root.path, &info) == 0 else { throw Self.error(root.path, "cannot reach the folder") }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw TransportError(.notADirectory, code: "LOCAL_NOT_A_DIRECTORY", path: root.path,
                                 message: "the transport root is not a folder", isRetryable: false)
        }
    }

    public func close() {}

    /// Creates folders below the root. The root itself must exist: a missing mount point must not be filled with
    /// files on the local disk.
    public func ensureDirectory(_ path: String) throws(TransportError) {
        let components = try TransportPath.components(path)
        try connect()
        var current = root.path
        for component in components {
            current += "/" + component
            if mkdir(current, 0o755) == 0 { continue }
            let code = errno
            var info = POSIXFileStatus()
            if code == EEXIST, posixStat(current, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw TransportError(.notADirectory, code: "LOCAL_NOT_A_DIRECTORY", path: current,
                                         message: "exists and is not a folder", isRetryable: false)
                }
                continue
            }
            throw Self.error(current, "cannot create the folder", code)
        }
    }

    public func stat(_ path: String) throws(TransportError) -> RemoteFileInfo? {
        let full = try local(path)
        var info = POSIXFileStatus()
        guard posixStat(full, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw Self.error(full, "cannot stat")
        }
        return RemoteFileInfo(info)
    }

    public func list(_ directory: String) throws(TransportError) -> [RemoteEntry] {
        let full = try local(directory)
        guard let stream = opendir(full) else { throw Self.error(full, "cannot list the folder") }
        defer { closedir(stream) }
        var entries: [RemoteEntry] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var info = POSIXFileStatus()
            // A name that vanished between readdir and stat is simply no longer there.
            guard posixStat(full + "/" + name, &info) == 0 else { continue }
            entries.append(RemoteEntry(name: name, info: RemoteFileInfo(info)))
        }
        return entries
    }

    @discardableResult
    public func upload(_ localFile: URL, to path: String, resumeFrom offset: UInt64,
                       progress: (@Sendable (UInt64) -> Void)?) throws(TransportError) -> UInt64
    {
        try copy(from: localFile.path, to: local(path), resumeFrom: offset, progress: progress)
    }

    @discardableResult
    public func download(_ path: String, to localFile: URL, resumeFrom offset: UInt64) throws(TransportError) -> UInt64 {
        try copy(from: local(path), to: localFile.path, resumeFrom: offset, progress: nil)
    }

    public func rename(_ source: String, to destination: String) throws(TransportError) {
        let from = try local(source), to = try local(destination)
        if let renameat2 = Self.renameat2 {
            if renameat2(AT_FDCWD, from, AT_FDCWD, to, 1 /* RENAME_NOREPLACE */) == 0 { return }
            // EINVAL: this file system cannot do RENAME_NOREPLACE (e.g. NFS); fall back to link + unlink below.
            guard errno == EINVAL || errno == ENOSYS else { throw Self.error(to, "cannot rename \(from)") }
        }
        // link() fails with EEXIST if the name is taken, so this never overwrites either (files only).
        guard link(from, to) == 0 else { throw Self.error(to, "cannot rename \(from)") }
        guard unlink(from) == 0 else { throw Self.error(from, "renamed by linking, but cannot remove the old name") }
    }

    public func remove(_ path: String) throws(TransportError) {
        let full = try local(path)
        guard unlink(full) == 0 else { throw Self.error(full, "cannot remove") }
    }

    public func removeDirectory(_ path: String) throws(TransportError) {
        let full = try local(path)
        guard rmdir(full) == 0 else { throw Self.error(full, "cannot remove the folder") }
    }

    // MARK: - Details

    private func local(_ path: String) throws(TransportError) -> String {
        try TransportPath.join(root.path, path)
    }

    private func copy(from source: String, to destination: String, resumeFrom offset: UInt64,
                      progress: (@Sendable (UInt64) -> Void)?) throws(TransportError) -> UInt64
    {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Self.error(source, "cannot open for reading") }
        defer { Glibc.close(input) }
        var info = POSIXFileStatus()
        guard fstat(input, &info) == 0 else { throw Self.error(source, "cannot stat") }
        let size = UInt64(info.st_size)
        guard offset <= size else {
            throw TransportError(.localIO, code: "LOCAL_INVALID_OFFSET", path: source,
                                 message: "cannot resume at byte \(offset) of a \(size)-byte file", isRetryable: false)
        }
        let output = open(destination, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw Self.error(destination, "cannot open for writing") }
        defer { Glibc.close(output) }
        guard ftruncate(output, off_t(offset)) == 0 else { throw Self.error(destination, "cannot cut to \(offset)") }

        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        while position < size {
            let count = pread(input, buffer, Self.chunkSize, off_t(position))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw count == 0
                    ? TransportError(.localIO, code: "LOCAL_IO_FAILED", path: source,
                                     message: "the file shrank while it was copied", isRetryable: false)
                    : Self.error(source, "cannot read")
            }
            var written = 0
            while written < count {
                let n = pwrite(output, buffer.advanced(by: written), count - written, off_t(position) + off_t(written))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw Self.error(destination, "cannot write") }
                written += n
            }
            position += UInt64(count)
            progress?(position)
        }
        return size
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32)
        -> Int32

    /// glibc's `renameat2` (2.28+): Swift's Glibc module does not import it (it needs `_GNU_SOURCE`).
    private static let renameat2: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Maps `errno` to a transport error with a `LOCAL_…` code.
    static func error(_ path: String, _ what: String, _ code: Int32 = errno) -> TransportError {
        let reason = String(cString: strerror(code))
        let message = "\(what): \(reason)"
        switch code {
        case EACCES, EPERM, EROFS:
            return TransportError(.permissionDenied, code: "LOCAL_PERMISSION_DENIED", path: path, message: message,
                                  isRetryable: false)
        case ENOENT:
            return TransportError(.notFound, code: "LOCAL_NO_SUCH_FILE", path: path, message: message,
                                  isRetryable: false)
        case EEXIST:
            return TransportError(.alreadyExists, code: "LOCAL_FILE_EXISTS", path: path, message: message,
                                  isRetryable: false)
        case ENOTEMPTY:
            return TransportError(.other, code: "LOCAL_DIRECTORY_NOT_EMPTY", path: path, message: message,
                                  isRetryable: false)
        case ENOTDIR:
            return TransportError(.notADirectory, code: "LOCAL_NOT_A_DIRECTORY", path: path, message: message,
                                  isRetryable: false)
        case ENOSPC, EDQUOT:
            return TransportError(.diskFull, code: "LOCAL_DISK_FULL", path: path, message: message, isRetryable: true)
        default:
            // EIO, ESTALE, ETIMEDOUT on a mounted share: worth another try later.
            return TransportError(.localIO, code: "LOCAL_IO_FAILED", path: path, message: message, isRetryable: true)
        }
    }
}

extension RemoteFileInfo {
    init(_ info: POSIXFileStatus) {
        let kind: Kind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        self.init(kind: kind, size: UInt64(info.st_size),
                  modificationTime: Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec)))
    }
}

/// `stat(2)`, under a name the actor's own `stat(_:)` method does not shadow.
private func posixStat(_ path: String, _ info: inout POSIXFileStatus) -> Int32 {
    stat(path, &info)
}

/// `struct stat`, named so inside the actor (whose `stat(_:)` method hides the C name).
typealias POSIXFileStatus = stat
