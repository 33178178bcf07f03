extension SFTPClient {
    /// Free and total bytes of the file system holding `path`, from `statvfs@openssh.com`; nil when the server does
    /// not offer it.
    public func space(_ path: String) throws(SFTPError) -> (available: UInt64, total: UInt64)? {
        let name = "statvfs@openssh.com"
        guard server.offers(name) else { return nil }
        let sftp = try live(operation: "statvfs", path: path).sftp
        return try run { () throws(SFTPError) in
            let id = try sftp.send(SFTPMessage.extended, payload: 8 + name.utf8.count + path.utf8.count) {
                $0.string(name)
                $0.string(path)
            }
            let reply = try sftp.reply(id)
            guard case let .extended(data) = reply, data.count >= 40 else {
                throw reply.unexpected(operation: "statvfs", path: path, expected: "file system figures")
            }
            // f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, …: 64-bit each.
            func field(_ index: Int) -> UInt64 { data[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) } }
            let fragment = field(1) == 0 ? field(0) : field(1)
            return (field(4) * fragment, field(2) * fragment)
        }
    }
}
