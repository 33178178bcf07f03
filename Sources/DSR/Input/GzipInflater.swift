import CDDEXZlib

/// Inflates a gzip stream chunk by chunk, member after member (`cat a.gz b.gz` is one valid file).
///
/// zlib checks each member's CRC-32 and length; a damaged member fails with `corrupt`, a stream that
/// ends inside a member with `truncated`.
final class GzipInflater {
    enum Failure: Error {
        case truncated(String)
        case corrupt(String)
    }

    private var stream = z_stream()
    private var initialized = false
    /// True once bytes of the current member were fed and its end not yet seen.
    private(set) var insideMember = false
    /// True until the first byte arrives: an empty `.gz` file is a truncated one.
    private var sawInput = false

    init() throws(Failure) {
        // 15 + 16: a 32 KiB window and gzip framing only (no raw deflate, no zlib header).
        let result = ddexd_inflate_init2(&stream, 15 + 16)
        guard result == Z_OK else { throw .corrupt("zlib could not start (\(result))") }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(&stream) }
    }

    /// Inflates from `input` into `output`. Returns (bytes consumed, bytes produced).
    ///
    /// Call again with the unconsumed rest of `input`; when `input` is empty, more raw data is needed.
    func inflate(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) throws(Failure) -> (consumed: Int, produced: Int) {
        guard !input.isEmpty, let inBase = input.baseAddress, let outBase = output.baseAddress else { return (0, 0) }
        sawInput = true
        insideMember = true
        stream.next_in = UnsafeMutablePointer(mutating: inBase.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = UInt32(clamping: input.count)
        stream.next_out = outBase.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(clamping: output.count)
        let availIn = stream.avail_in
        let availOut = stream.avail_out
        let result = CDDEXZlib.inflate(&stream, Z_NO_FLUSH)
        let consumed = Int(availIn - stream.avail_in)
        let produced = Int(availOut - stream.avail_out)
        switch result {
        case Z_OK, Z_BUF_ERROR:
            break
        case Z_STREAM_END:
            // The member's trailer (CRC-32 and size) checked out. Another member may follow.
            insideMember = false
            let reset = inflateReset(&stream)
            guard reset == Z_OK else { throw .corrupt("zlib could not reset (\(reset))") }
        case Z_NEED_DICT:
            throw .corrupt("the deflate stream asks for a preset dictionary")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(result)"
            throw .corrupt(message)
        }
        return (consumed, produced)
    }

    /// Checks the stream at the end of the raw input.
    func finish() throws(Failure) {
        if !sawInput { throw .truncated("the gzip file is empty") }
        if insideMember { throw .truncated("the gzip stream ends inside a member (the file is cut short)") }
    }
}
