/// Requests waiting to be sent, packed one after another into fixed-size segments so that libssh2 gets full SSH
/// packets whatever the SFTP request sizes, and a write request's data is read from the local file straight into
/// place (no copy). A request never spans two segments; a sent segment is reused.
final class SFTPOutgoingQueue {
    let segmentSize: Int
    private var segments: [Segment] = []
    private var spare: [UnsafeMutableRawPointer] = []
    /// Bytes queued and not yet sent.
    private(set) var unsentBytes = 0

    private struct Segment {
        let base: UnsafeMutableRawPointer
        var sent = 0
        var filled = 0
    }

    /// `largestRequest`: the biggest request that will be queued (a write header and its data).
    init(largestRequest: Int) {
        segmentSize = max(1 << 20, 2 * largestRequest)
    }

    deinit {
        for segment in segments { segment.base.deallocate() }
        for base in spare { base.deallocate() }
    }

    var isEmpty: Bool { unsentBytes == 0 }

    /// Builds one request of at most `maximumSize` bytes at the end of the queue; returns its size.
    func append(maximumSize: Int, _ build: (inout SFTPRequestWriter) throws(SFTPError) -> Void) throws(SFTPError) -> Int {
        precondition(maximumSize <= segmentSize, "SFTP request larger than a segment")
        if segments.isEmpty || segmentSize - segments[segments.count - 1].filled < maximumSize {
            segments.append(Segment(base: spare.popLast()
                ?? UnsafeMutableRawPointer.allocate(byteCount: segmentSize, alignment: 16)))
        }
        let last = segments.count - 1
        var writer = SFTPRequestWriter(into: segments[last].base.advanced(by: segments[last].filled),
                                       capacity: segmentSize - segments[last].filled)
        try build(&writer)
        let size = writer.finish()
        segments[last].filled += size
        unsentBytes += size
        return size
    }

    /// The next bytes to send (within one segment), or nil when nothing is queued.
    var front: UnsafeRawBufferPointer? {
        guard let first = segments.first, first.filled > first.sent else { return nil }
        return UnsafeRawBufferPointer(start: first.base.advanced(by: first.sent), count: first.filled - first.sent)
    }

    /// Marks `count` bytes of `front` as sent.
    func consume(_ count: Int) {
        segments[0].sent += count
        unsentBytes -= count
        // A fully sent segment is recycled once nothing more will be added to it (it is not the last one), or
        // rewound when it is the last one and empty.
        if segments[0].sent == segments[0].filled {
            if segments.count > 1 {
                spare.append(segments.removeFirst().base)
            } else {
                segments[0].sent = 0
                segments[0].filled = 0
            }
        }
    }
}
