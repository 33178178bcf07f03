import Glibc

extension SFTPClient {
    /// Uploads a local file to `remotePath`, keeping as many write requests in flight as the server's window takes
    /// (memory stays at a few MiB of queued requests, whatever the file size).
    ///
    /// With `resumeFrom` = 0 the remote file is created or truncated; with an offset the remote file is kept,
    /// and writing continues at that offset with the local bytes from the same offset (use the remote size of a
    /// partly uploaded file). Returns the number of bytes the remote file should now hold (the local size).
    /// `progress` is called about every `writeChunkSize` acknowledged bytes and at the end, with the bytes written
    /// so far (counting the resumed part).
    @discardableResult
    public func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64 = 0,
                       progress: ((UInt64) -> Void)? = nil) throws(SFTPError) -> UInt64
    {
        let sftp = try live(operation: "upload", path: remotePath).sftp
        let local = try LocalFile(openForReading: localPath, operation: "upload")
        defer { local.close() }
        let size = try local.size()
        guard offset <= size else {
            throw SFTPError(.invalidArgument, operation: "upload", path: remotePath,
                            message: "cannot resume at byte \(offset): \(localPath) has only \(size) bytes")
        }
        return try run { () throws(SFTPError) in
            let flags: SFTPMessage.OpenFlags = offset == 0 ? [.write, .create, .truncate] : [.write, .create]
            let handle = try Self.handle(try sftp.reply(try sendOpen(sftp, remotePath, flags)), operation: "upload",
                                         path: remotePath)
            let writer = SFTPFileWriter(handle: handle, file: local, remotePath: remotePath, from: offset, to: size,
                                        requestSize: server.writeRequestSize)
            var reported = offset
            while !writer.isAcknowledged {
                try writer.fill(sftp, window: server.window)
                try sftp.pump(wait: true)
                if let error = writer.stream.error {
                    closeQuietly(sftp, handle)
                    throw error
                }
                let done = writer.acknowledgedUpTo
                if done - reported >= UInt64(configuration.writeChunkSize) || (done == size && reported != size) {
                    reported = done
                    progress?(done)
                }
            }
            let closed = try sftp.reply(try sftp.send(SFTPMessage.close, payload: 4 + handle.count) { $0.string(handle) })
            if let error = closed.failure(operation: "upload (close)", path: remotePath, duringWrite: true) { throw error }
            if size == offset { progress?(size) }
            return size
        }
    }

    /// Downloads `remotePath` to a local file with many read requests in flight.
    ///
    /// With `resumeFrom` = 0 the local file is created or truncated; with an offset the local file is cut to that
    /// length and the rest is appended. Returns the local file's final size.
    @discardableResult
    public func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64 = 0,
                         progress: ((UInt64) -> Void)? = nil) throws(SFTPError) -> UInt64
    {
        let sftp = try live(operation: "download", path: remotePath).sftp
        return try run { () throws(SFTPError) in
            let handle = try Self.handle(try sftp.reply(try sendOpen(sftp, remotePath, [.read])),
                                         operation: "download", path: remotePath)
            defer { closeQuietly(sftp, handle) }
            let local = try LocalFile(openForWriting: localPath, truncateTo: offset, operation: "download")
            defer { local.close() }
            let stream = SFTPReadStream(remotePath: remotePath, fd: local.fd, localPath: localPath)
            let length = server.readRequestSize
            // Enough requests to fill our receiving window, so a long link is used fully.
            let depth = max(16, Int(SFTPClient.receiveWindow) / length)
            var next = offset
            while true {
                while stream.requestsOut < depth {
                    if let gap = stream.gaps.popLast() {
                        try sftp.sendRead(handle: handle, offset: gap.offset, length: gap.length, stream: stream)
                    } else if stream.endOfFile == nil {
                        try sftp.sendRead(handle: handle, offset: next, length: length, stream: stream)
                        next += UInt64(length)
                    } else {
                        break
                    }
                }
                if stream.requestsOut == 0 && stream.gaps.isEmpty { break }
                try sftp.pump(wait: true)
                if let error = stream.error { throw error }
                progress?(offset + stream.received)
            }
            let end = stream.endOfFile ?? next
            // Data beyond an end-of-file answer cannot exist; the file ends at the first one.
            guard ftruncate(local.fd, off_t(end)) == 0 else {
                throw LocalFile.error(operation: "download", path: localPath, "cannot cut to \(end) bytes")
            }
            return end
        }
    }

    func sendOpen(_ sftp: SFTPChannel, _ path: String, _ flags: SFTPMessage.OpenFlags) throws(SFTPError) -> UInt32 {
        try sftp.send(SFTPMessage.open, payload: 4 + path.utf8.count + 16) {
            $0.string(path)
            $0.uint32(flags.rawValue)
            if flags.contains(.create) {
                $0.uint32(SFTPMessage.attributePermissions)
                $0.uint32(0o644)
            } else {
                $0.uint32(0)
            }
        }
    }
}
