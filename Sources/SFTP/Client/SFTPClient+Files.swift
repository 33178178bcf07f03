extension SFTPClient {
    /// The attributes of a remote path (following symbolic links). Throws `SFTP_NO_SUCH_FILE` if it does not exist.
    public func stat(_ path: String) throws(SFTPError) -> SFTPFileInfo {
        guard let info = try stat([path], operation: "stat").first! else {
            throw SFTPError(.noSuchFile, operation: "stat", path: path, message: "the server said: No such file")
        }
        return info
    }

    /// Like `stat`, but `nil` when the path does not exist.
    public func statIfExists(_ path: String) throws(SFTPError) -> SFTPFileInfo? {
        try stat([path], operation: "stat").first!
    }

    /// The attributes of many paths (nil where nothing is), asked for together: one round trip for all of them.
    public func stat(_ paths: [String], operation: String = "stat") throws(SFTPError) -> [SFTPFileInfo?] {
        let sftp = try live(operation: operation, path: paths.first).sftp
        return try run { () throws(SFTPError) in
            let ids = try paths.map { path throws(SFTPError) in try sendPath(sftp, SFTPMessage.stat, path) }
            var infos: [SFTPFileInfo?] = []
            for (id, path) in zip(ids, paths) {
                infos.append(try Self.attributes(try sftp.reply(id), operation: operation, path: path))
            }
            return infos
        }
    }

    /// The names in a remote directory (without `.` and `..`), in the server's order.
    public func list(_ directory: String) throws(SFTPError) -> [SFTPDirectoryEntry] {
        let sftp = try live(operation: "list", path: directory).sftp
        return try run { () throws(SFTPError) in
            let handle = try Self.handle(try sftp.reply(try sendPath(sftp, SFTPMessage.opendir, directory)),
                                         operation: "list", path: directory)
            defer { closeQuietly(sftp, handle) }
            var entries: [SFTPDirectoryEntry] = []
            while true {
                let reply = try sftp.reply(try sftp.send(SFTPMessage.readdir, payload: 4 + handle.count) { $0.string(handle) })
                if case let .status(code, _) = reply, code == SFTPMessage.endOfFile { break }
                guard case let .names(names) = reply else {
                    throw reply.unexpected(operation: "list", path: directory, expected: "names")
                }
                entries += names.filter { $0.name != "." && $0.name != ".." }
            }
            return entries
        }
    }

    /// Creates a directory and any missing parents, like `mkdir -p`; existing directories are fine.
    public func makeDirectories(_ path: String, mode: Int = 0o755) throws(SFTPError) {
        try makeDirectories([path], below: "")
    }

    /// Creates several directories and their missing parents below `root` (which must exist), in one round trip:
    /// every `mkdir` is sent at once, shallowest first, followed by a `stat` of each; a directory that already
    /// existed makes its `mkdir` fail harmlessly. Only where a path is not a directory afterwards is the failure
    /// reported, in the server's words.
    public func makeDirectories(_ paths: [String], below root: String) throws(SFTPError) {
        let sftp = try live(operation: "mkdir", path: paths.first).sftp
        var prefixes: [String] = []
        for path in paths {
            for prefix in Self.prefixes(of: path) where !prefixes.contains(prefix) && !Self.isAtOrAbove(prefix, root) {
                prefixes.append(prefix)
            }
        }
        guard !prefixes.isEmpty else { return }
        prefixes.sort { $0.split(separator: "/").count < $1.split(separator: "/").count }
        try run { () throws(SFTPError) in
            let made = try prefixes.map { prefix throws(SFTPError) in
                try sftp.send(SFTPMessage.mkdir, payload: 8 + prefix.utf8.count) {
                    $0.string(prefix)
                    $0.uint32(SFTPMessage.attributePermissions)
                    $0.uint32(0o755)
                }
            }
            let checked = try prefixes.map { prefix throws(SFTPError) in try sendPath(sftp, SFTPMessage.stat, prefix) }
            for (index, prefix) in prefixes.enumerated() {
                let made = try sftp.reply(made[index])
                let info = try Self.attributes(try sftp.reply(checked[index]), operation: "mkdir", path: prefix)
                if info?.type == .directory { continue }
                if info != nil {
                    throw SFTPError(.notADirectory, operation: "mkdir", path: prefix,
                                    message: "\(prefix) exists and is not a directory")
                }
                throw made.failure(operation: "mkdir", path: prefix)
                    ?? SFTPError(.failure, operation: "mkdir", path: prefix, message: "the directory did not appear")
            }
        }
    }

    /// Renames a remote file or directory with SFTP v3 rename. On OpenSSH it never overwrites (the server links the
    /// new name, which fails if it exists: `SFTP_FILE_EXISTS`); other servers' renames may replace an existing
    /// target, which is why delivery places files with `place`, never with this alone.
    public func rename(_ source: String, to destination: String) throws(SFTPError) {
        let sftp = try live(operation: "rename", path: source).sftp
        try run { () throws(SFTPError) in
            let id = try sftp.send(SFTPMessage.rename, payload: 8 + source.utf8.count + destination.utf8.count) {
                $0.string(source)
                $0.string(destination)
            }
            let reply = try sftp.reply(id)
            guard var error = reply.failure(operation: "rename", path: "\(source) → \(destination)") else { return }
            if error.kind == .failure || error.kind == .fileExists, try statIfExists(destination) != nil {
                error.kind = .fileExists
                error.isRetryable = false
                error.message = "\(destination) already exists (\(error.message)); ddexd never overwrites"
            }
            throw error
        }
    }

    /// Removes a remote file.
    public func remove(_ path: String) throws(SFTPError) {
        try simple(SFTPMessage.remove, path, operation: "unlink")
    }

    /// Removes an empty remote directory.
    public func removeDirectory(_ path: String) throws(SFTPError) {
        try simple(SFTPMessage.rmdir, path, operation: "rmdir")
    }

    // MARK: - Helpers

    private func simple(_ type: UInt8, _ path: String, operation: String) throws(SFTPError) {
        let sftp = try live(operation: operation, path: path).sftp
        try run { () throws(SFTPError) in
            if let error = try sftp.reply(try sendPath(sftp, type, path)).failure(operation: operation, path: path) {
                throw error
            }
        }
    }

    /// Runs channel work; an error that broke the channel breaks the client.
    func run<T>(_ body: () throws(SFTPError) -> T) throws(SFTPError) -> T {
        do {
            return try body()
        } catch {
            throw noting(error)
        }
    }

    /// Closes a handle without waiting for the answer.
    func closeQuietly(_ sftp: SFTPChannel, _ handle: [UInt8]) {
        if let id = try? sftp.send(SFTPMessage.close, payload: 4 + handle.count, { $0.string(handle) }) { sftp.forget(id) }
    }

    func sendPath(_ sftp: SFTPChannel, _ type: UInt8, _ path: String) throws(SFTPError) -> UInt32 {
        try sftp.send(type, payload: 4 + path.utf8.count) { $0.string(path) }
    }

    /// Attributes from a stat reply; nil for "no such file".
    static func attributes(_ reply: SFTPReply, operation: String, path: String) throws(SFTPError) -> SFTPFileInfo? {
        if case let .attributes(info) = reply { return info }
        if let error = reply.failure(operation: operation, path: path), error.kind == .noSuchFile { return nil }
        throw reply.unexpected(operation: operation, path: path, expected: "attributes")
    }

    static func handle(_ reply: SFTPReply, operation: String, path: String) throws(SFTPError) -> [UInt8] {
        if case let .handle(handle) = reply { return handle }
        throw reply.unexpected(operation: operation, path: path, expected: "a handle")
    }

    /// `a`, `a/b`, `a/b/c` for `a/b/c` (and `/a`, `/a/b` for `/a/b`).
    static func prefixes(of path: String) -> [String] {
        let absolute = path.hasPrefix("/")
        var current = absolute ? "" : nil as String?
        var out: [String] = []
        for component in path.split(separator: "/") where component != "." {
            current = current.map { $0 + "/" + component } ?? String(component)
            out.append(current!)
        }
        return out
    }

    /// Whether `path` is `root` or one of its parents (already there by assumption).
    static func isAtOrAbove(_ path: String, _ root: String) -> Bool {
        guard !root.isEmpty else { return false }
        return root == path || root.hasPrefix(path + "/")
    }
}
