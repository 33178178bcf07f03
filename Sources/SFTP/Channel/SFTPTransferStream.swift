import Glibc

/// The progress of one file's write requests: how many bytes are out, how many the server has acknowledged, and the
/// first refusal. The channel updates it as acknowledgements arrive, in whatever order the server sends them.
final class SFTPWriteStream {
    let remotePath: String
    /// Bytes sent or queued whose acknowledgement has not come back.
    var inFlight = 0
    var acknowledged: UInt64 = 0
    var requestsOut = 0
    /// The first write the server refused.
    var error: SFTPError?

    init(remotePath: String) { self.remotePath = remotePath }
}

/// The progress of one file's read requests: each reply's data is written to the local file at its offset as it
/// arrives; a short reply leaves a gap that is asked for again, an end-of-file marks where the file ends.
final class SFTPReadStream {
    let remotePath: String
    let fd: Int32
    let localPath: String
    var requestsOut = 0
    var received: UInt64 = 0
    /// Ranges a short reply left out, to be asked for again.
    var gaps: [(offset: UInt64, length: Int)] = []
    /// The lowest offset the server answered with end-of-file.
    var endOfFile: UInt64?
    var error: SFTPError?

    init(remotePath: String, fd: Int32, localPath: String) {
        self.remotePath = remotePath
        self.fd = fd
        self.localPath = localPath
    }

    /// Writes data that arrived for `offset`.
    func store(_ data: UnsafeRawBufferPointer, at offset: UInt64) {
        var done = 0
        while done < data.count {
            let n = pwrite(fd, data.baseAddress!.advanced(by: done), data.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                if error == nil { error = LocalFile.error(operation: "download", path: localPath, "cannot write") }
                return
            }
            done += n
        }
        received += UInt64(data.count)
    }
}
