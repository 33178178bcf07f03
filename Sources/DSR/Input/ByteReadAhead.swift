import Foundation

/// Reads a byte source on a thread of its own, a few chunks ahead of the parser: inflating a gzip report (and
/// hashing it) on one core while the parser reads lines on the other makes the two take the time of the slower,
/// not of both. Memory is the chunks, whatever the file's size.
///
/// The reader (`read(into:)`) is one thread; the producer is the other; the chunks change hands under `condition`.
/// The owner calls `stop()` when done (its `deinit` does), which ends the producer and waits for it, so no file is
/// read afterwards; the thread holds this object until then.
final class ByteReadAhead: @unchecked Sendable {
    // Safety: `inner` is used by the producer thread only until it ends; the chunk queue, `failure`, `ended` and
    // `stopped` are touched with `condition` locked; a chunk's bytes are written only while it is off the queue.
    private let inner: DSRByteSource
    private let condition = NSCondition()
    private var chunks: [UnsafeMutableRawBufferPointer]
    private var free: [Int]
    private var filled: [(index: Int, count: Int)] = []
    private var failure: DSRByteSource.Failure?
    private var ended = false
    private var stopped = false
    private var threadEnded = false
    /// The chunk being read by the consumer, and how far.
    private var current: (index: Int, count: Int, offset: Int)?

    static let chunkSize = 1 << 20
    static let chunkCount = 4

    init(_ inner: DSRByteSource) {
        self.inner = inner
        chunks = (0..<Self.chunkCount).map { _ in .allocate(byteCount: Self.chunkSize, alignment: 16) }
        free = Array(chunks.indices)
        let thread = Thread { [self] in produce() }
        thread.name = "ddexd-dsr-inflate"
        thread.start()
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
    }

    /// The SHA-256 and size of the file as stored: final once `read` returned 0.
    var sha256Hex: String { locked { inner.sha256Hex } }
    var fileBytesRead: Int64 { locked { inner.fileBytesRead } }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private func produce() {
        while true {
            condition.lock()
            while free.isEmpty && !stopped { condition.wait() }
            if stopped { return finishThread() }
            let index = free.removeFirst()
            condition.unlock()

            let chunk = chunks[index]
            var count = 0
            var atEnd = false
            var error: DSRByteSource.Failure?
            do {
                while count < chunk.count {
                    let read = try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[count...]))
                    if read == 0 { atEnd = true; break }
                    count += read
                }
            } catch let failure {
                error = failure
            }

            condition.lock()
            if count > 0 { filled.append((index, count)) } else { free.append(index) }
            if let error { failure = error }
            if atEnd || error != nil { ended = true }
            condition.broadcast()
            if ended { return finishThread() }
            condition.unlock()
        }
    }

    /// Marks the producer gone and unlocks (called with `condition` locked).
    private func finishThread() {
        threadEnded = true
        condition.broadcast()
        condition.unlock()
    }

    /// Copies up to `buffer.count` bytes into `buffer`; 0 at the end. Throws the producer's failure once the bytes
    /// read before it were delivered.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(DSRByteSource.Failure) -> Int {
        if current == nil {
            condition.lock()
            while filled.isEmpty && !ended && !stopped { condition.wait() }
            if filled.isEmpty {
                let error = failure
                condition.unlock()
                if let error { throw error }
                return 0
            }
            let next = filled.removeFirst()
            condition.unlock()
            current = (next.index, next.count, 0)
        }
        guard let (index, count, offset) = current, let target = buffer.baseAddress, let source = chunks[index].baseAddress else { return 0 }
        let n = min(buffer.count, count - offset)
        target.copyMemory(from: source + offset, byteCount: n)
        if offset + n == count {
            current = nil
            condition.lock()
            free.append(index)
            condition.broadcast()
            condition.unlock()
        } else {
            current = (index, count, offset + n)
        }
        return n
    }

    /// Ends the producer and waits until its thread has ended.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !threadEnded { condition.wait() }
        condition.unlock()
    }
}
