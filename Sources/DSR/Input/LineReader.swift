#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte source into lines in one reusable buffer, so memory does not grow with the file.
///
/// A line ends at LF; a CR before the LF is dropped; the last line may lack a terminator. A line longer
/// than `maxLineLength` is an error rather than a reason to grow without bound.
final class LineReader {
    enum Failure: Error {
        case source(DSRByteSource.Failure)
        case lineTooLong(Int)
    }

    private let source: DSRByteSource
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// Where to resume the newline search, so a long line is scanned once.
    private var scanFrom = 0
    private var eof = false
    let maxLineLength: Int
    /// The physical line number of the last line returned (1-based).
    private(set) var lineNumber = 0

    init(source: DSRByteSource, initialCapacity: Int = 1 << 18, maxLineLength: Int = 1 << 22) {
        self.source = source
        self.maxLineLength = maxLineLength
        buffer = .allocate(byteCount: max(initialCapacity, 64), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// The next line without its terminator, valid until the next call; nil at the end of the file.
    func nextLine() throws(Failure) -> UnsafeRawBufferPointer? {
        guard let base = buffer.baseAddress else { return nil }
        while true {
            if scanFrom < end, let hit = memchr(base + scanFrom, 0x0A, end - scanFrom) {
                let newline = base.distance(to: UnsafeMutableRawPointer(hit))
                if newline - start > maxLineLength { throw .lineTooLong(maxLineLength) }
                let line = lineSlice(from: start, to: newline)
                start = newline + 1
                scanFrom = start
                lineNumber += 1
                return line
            }
            scanFrom = end
            if end - start > maxLineLength { throw .lineTooLong(maxLineLength) }
            if eof {
                guard start < end else { return nil }
                let line = lineSlice(from: start, to: end)
                start = end
                lineNumber += 1
                return line
            }
            try refill()
        }
    }

    private func lineSlice(from lower: Int, to upper: Int) -> UnsafeRawBufferPointer {
        var upper = upper
        if upper > lower, buffer[upper - 1] == 0x0D { upper -= 1 }
        return UnsafeRawBufferPointer(rebasing: buffer[lower..<upper])
    }

    private func refill() throws(Failure) {
        if start > 0 {
            // Keep the partial line, drop what was consumed.
            let pending = end - start
            if pending > 0, let base = buffer.baseAddress {
                memmove(base, base + start, pending)
            }
            end = pending
            scanFrom -= start
            start = 0
        }
        if end == buffer.count {
            // Room for one maximal line and its terminator.
            guard buffer.count <= maxLineLength else { throw .lineTooLong(maxLineLength) }
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: min(buffer.count * 2, maxLineLength + 2), alignment: 16)
            if let target = grown.baseAddress, let source = buffer.baseAddress {
                target.copyMemory(from: source, byteCount: end)
            }
            buffer.deallocate()
            buffer = grown
        }
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[end..<buffer.count])
        let count: Int
        do { count = try source.read(into: target) } catch { throw .source(error) }
        if count == 0 { eof = true } else { end += count }
    }
}
