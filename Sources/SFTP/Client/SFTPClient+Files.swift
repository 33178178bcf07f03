import CLibSSH2

extension SFTPClient {
    /// The attributes of a remote path (following symbolic links). Throws `SFTP_NO_SUCH_FILE` if it does not exist.
    public func stat(_ path: String) throws(SFTPError) -> SFTPFileInfo {
        let connection = try live(operation: "stat", path: path)
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        let rc = path.withCString {
            libssh2_sftp_stat_ex(connection.sftp, $0, UInt32(path.utf8.count), LIBSSH2_SFTP_STAT, &attributes)
        }
        guard rc == 0 else { throw noting(connection.error(Int(rc), operation: "stat", path: path)) }
        return SFTPFileInfo(attributes)
    }

    /// Like `stat`, but `nil` when the path does not exist.
    public func statIfExists(_ path: String) throws(SFTPError) -> SFTPFileInfo? {
        do {
            return try stat(path)
        } catch where error.kind == .noSuchFile {
            return nil
        }
    }

    /// The names in a remote directory (without `.` and `..`), in the server's order.
    public func list(_ directory: String) throws(SFTPError) -> [SFTPDirectoryEntry] {
        let connection = try live(operation: "list", path: directory)
        let handle = directory.withCString {
            libssh2_sftp_open_ex(connection.sftp, $0, UInt32(directory.utf8.count), 0, 0, LIBSSH2_SFTP_OPENDIR)
        }
        guard let handle else { throw noting(connection.error(operation: "list", path: directory)) }
        defer { closeHandle(handle) }

        var entries: [SFTPDirectoryEntry] = []
        let capacity = 4096
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        while true {
            var attributes = LIBSSH2_SFTP_ATTRIBUTES()
            let length = libssh2_sftp_readdir_ex(handle, buffer, capacity, nil, 0, &attributes)
            if length == 0 { break }
            guard length > 0 else { throw noting(connection.error(Int(length), operation: "list", path: directory)) }
            let name = String(decoding: UnsafeRawBufferPointer(start: buffer, count: Int(length)), as: UTF8.self)
            if name == "." || name == ".." { continue }
            entries.append(SFTPDirectoryEntry(name: name, info: SFTPFileInfo(attributes)))
        }
        return entries
    }

    /// Creates a directory and any missing parents, like `mkdir -p`; existing directories are fine.
    public func makeDirectories(_ path: String, mode: Int = 0o755) throws(SFTPError) {
        let connection = try live(operation: "mkdir", path: path)
        if try statIfExists(path)?.type == .directory { return }
        let absolute = path.hasPrefix("/")
        let components = path.split(separator: "/").filter { $0 != "." }
        guard !components.isEmpty else { return }
        var prefix = absolute ? "" : "."
        for component in components {
            prefix += "/" + component
            let current = absolute ? prefix : String(prefix.dropFirst(2))
            if let info = try statIfExists(current) {
                guard info.type == .directory else {
                    throw SFTPError(.notADirectory, operation: "mkdir", path: path,
                                    message: "\(current) exists and is not a directory")
                }
                continue
            }
            let rc = current.withCString {
                libssh2_sftp_mkdir_ex(connection.sftp, $0, UInt32(current.utf8.count), mode)
            }
            if rc != 0 {
                let error = noting(connection.error(Int(rc), operation: "mkdir", path: current))
                // Someone else may have made it in the meantime (OpenSSH answers EEXIST with a generic failure).
                if !error.kind.breaksConnection, try statIfExists(current)?.type == .directory { continue }
                throw error
            }
        }
    }

    /// Renames a remote file or directory. **Never overwrites**: SFTP v3 (all libssh2 1.10 speaks) has no overwrite
    /// flag, and OpenSSH links the new name, which fails if it exists. That case throws `SFTP_FILE_EXISTS`.
    public func rename(_ source: String, to destination: String) throws(SFTPError) {
        let connection = try live(operation: "rename", path: source)
        let rc = source.withCString { from in
            destination.withCString { to in
                libssh2_sftp_rename_ex(connection.sftp, from, UInt32(source.utf8.count), to,
                                       UInt32(destination.utf8.count),
                                       Int(LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE))
            }
        }
        guard rc != 0 else { return }
        var error = noting(connection.error(Int(rc), operation: "rename", path: "\(source) → \(destination)"))
        if error.kind == .failure, (try? statIfExists(destination)) != nil {
            error.kind = .fileExists
            error.isRetryable = false
            error.message = "\(destination) already exists (\(error.message)); SFTP v3 rename never overwrites"
        }
        throw error
    }

    /// Removes a remote file.
    public func remove(_ path: String) throws(SFTPError) {
        let connection = try live(operation: "unlink", path: path)
        let rc = path.withCString { libssh2_sftp_unlink_ex(connection.sftp, $0, UInt32(path.utf8.count)) }
        guard rc == 0 else { throw noting(connection.error(Int(rc), operation: "unlink", path: path)) }
    }

    /// Removes an empty remote directory.
    public func removeDirectory(_ path: String) throws(SFTPError) {
        let connection = try live(operation: "rmdir", path: path)
        let rc = path.withCString { libssh2_sftp_rmdir_ex(connection.sftp, $0, UInt32(path.utf8.count)) }
        guard rc == 0 else { throw noting(connection.error(Int(rc), operation: "rmdir", path: path)) }
    }
}
