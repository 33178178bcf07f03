/// Sends one local file's bytes `[from, to)` as write requests on one handle, as fast as the channel takes them:
/// requests are queued while the unsent queue is under one window's worth and the unacknowledged bytes under twice
/// the window (at least 64 requests, like OpenSSH's `sftp`), so the server's window, not a round trip, sets the pace.
final class SFTPFileWriter {
    let handle: [UInt8]
    let file: LocalFile
    let start: UInt64
    let end: UInt64
    let requestSize: Int
    let stream: SFTPWriteStream
    /// The next byte to queue.
    private(set) var next: UInt64
    /// The acknowledged position last reported to a progress callback.
    var reported: UInt64

    init(handle: [UInt8], file: LocalFile, remotePath: String, from start: UInt64, to end: UInt64, requestSize: Int) {
        self.handle = handle
        self.file = file
        self.start = start
        self.end = end
        self.requestSize = requestSize
        stream = SFTPWriteStream(remotePath: remotePath)
        next = start
        reported = start
    }

    /// Every byte queued (the close may follow).
    var isQueued: Bool { next >= end }
    /// Every byte acknowledged by the server.
    var isAcknowledged: Bool { isQueued && stream.requestsOut == 0 }
    var acknowledgedUpTo: UInt64 { start + stream.acknowledged }

    /// Queues write requests up to the limits that keep the link full. Reads the local file at its position (the
    /// caller seeks it to `start` first when resuming).
    func fill(_ sftp: SFTPChannel, window: UInt64) throws(SFTPError) {
        if next == start, start > 0 { try file.seek(to: start) }
        let queueLimit = max(Int(window), 1 << 20)
        let flightLimit = max(2 * Int(window), 64 * requestSize)
        while next < end, sftp.outgoing.unsentBytes < queueLimit, stream.inFlight < flightLimit {
            let count = Int(min(UInt64(requestSize), end - next))
            let taken = try sftp.sendWrite(handle: handle, offset: next, count: count, from: file, stream: stream)
            guard taken == count else {
                throw SFTPError(.localIO, operation: "upload", path: file.path,
                                message: "the file shrank while it was uploaded (ended at byte \(next + UInt64(taken)), "
                                    + "expected \(end))")
            }
            next += UInt64(count)
        }
    }
}
