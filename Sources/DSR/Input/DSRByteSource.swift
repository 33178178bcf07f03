import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of one DSR file, read in fixed chunks: inflated when the file is gzip, and hashed
/// (SHA-256 of the file as stored) on the way, so a file is read exactly once.
final class DSRByteSource {
    enum Failure: Error {
        case io(String)
        case gzip(GzipInflater.Failure)
    }

    let path: String
    private let descriptor: Int32
    private let inflater: GzipInflater?
    private var hasher = SHA256()
    private let raw: UnsafeMutableRawBufferPointer
    private var rawStart = 0
    private var rawEnd = 0
    private var rawEOF = false
    private var finished = false
    /// Bytes of the file read so far (the compressed size for gzip).
    var fileBytesRead: Int64 { readAhead?.fileBytesRead ?? ownBytesRead }
    private var ownBytesRead: Int64 = 0
    /// For a large gzip file: the inflating (and hashing) runs on a thread of its own, chunks ahead (`ByteReadAhead`).
    private var readAhead: ByteReadAhead?

    /// Compressed files from this size on are inflated on a thread of their own; smaller ones are not worth a thread.
    static let readAheadThreshold = 1 << 20

    static let rawChunkSize = 1 << 20

    /// Opens `path`; a gzip file of `readAheadThreshold` bytes or more is inflated on a thread of its own, unless
    /// `inflateAhead` is false.
    convenience init(path: String, gzip: Bool) throws(Failure) {
        try self.init(path: path, gzip: gzip, inflateAhead: true)
    }

    init(path: String, gzip: Bool, inflateAhead: Bool) throws(Failure) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open: \(String(cString: strerror(errno)))") }
        descriptor = fd
        do {
            inflater = gzip ? try GzipInflater() : nil
        } catch {
            close(fd)
            throw .gzip(error)
        }
        // Only gzip goes through the raw buffer: a plain file is read straight into the caller's.
        raw = .allocate(byteCount: gzip ? DSRByteSource.chunkSize(forFile: fd) : 16, alignment: 16)
        if gzip, inflateAhead, DSRByteSource.fileSize(fd) >= DSRByteSource.readAheadThreshold {
            readAhead = ByteReadAhead(try DSRByteSource(path: path, gzip: true, inflateAhead: false))
        }
    }

    static func fileSize(_ descriptor: Int32) -> Int64 {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// `rawChunkSize`, or less for a smaller file: a few-kB report (and every fuzzed one) should not cost a
    /// 1 MiB buffer.
    static func chunkSize(forFile descriptor: Int32) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size >= 0, info.st_size < rawChunkSize else { return rawChunkSize }
        return max(4096, Int(info.st_size) + 1)
    }

    deinit {
        // The producer thread holds its read-ahead: stop it here, or a parse that ends early would leave it waiting.
        readAhead?.stop()
        close(descriptor)
        raw.deallocate()
    }

    /// The SHA-256 of the whole file, lowercase hex. Valid once `read` has returned 0.
    var sha256Hex: String { readAhead?.sha256Hex ?? ownSHA256Hex }
    private var ownSHA256Hex = ""

    private func fillRaw() throws(Failure) {
        rawStart = 0
        rawEnd = 0
        while !rawEOF {
            let count = systemRead(descriptor, raw.baseAddress, raw.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { rawEOF = true; break }
            rawEnd = count
            ownBytesRead += Int64(count)
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[0..<count]))
            return
        }
    }

    /// Reads from the file into `buffer` and hashes what came; nil at the end of the file (then `read` finishes).
    private func readDirectly(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int? {
        while true {
            let count = systemRead(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                rawEOF = true
                return nil
            }
            ownBytesRead += Int64(count)
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            return count
        }
    }

    /// Reads up to `buffer.count` bytes of content into `buffer`; 0 means the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
        if let readAhead { return try readAhead.read(into: buffer) }
        guard !finished else { return 0 }
        if inflater == nil, rawStart == rawEnd, !rawEOF, buffer.count > 0 {
            // A plain file is read straight into the caller's buffer: one copy fewer.
            if let count = try readDirectly(into: buffer) { return count }
        }
        while true {
            if rawStart == rawEnd {
                try fillRaw()
                if rawStart == rawEnd {
                    if let inflater {
                        do { try inflater.finish() } catch { throw .gzip(error) }
                    }
                    finished = true
                    ownSHA256Hex = hasher.finalize().map { byte in
                        let hex = String(byte, radix: 16)
                        return byte < 16 ? "0" + hex : hex
                    }.joined()
                    return 0
                }
            }
            let pending = UnsafeRawBufferPointer(rebasing: raw[rawStart..<rawEnd])
            guard let inflater else {
                let count = min(pending.count, buffer.count)
                guard count > 0, let target = buffer.baseAddress, let source = pending.baseAddress else { return 0 }
                target.copyMemory(from: source, byteCount: count)
                rawStart += count
                return count
            }
            let step: (consumed: Int, produced: Int)
            do { step = try inflater.inflate(input: pending, output: buffer) } catch { throw .gzip(error) }
            rawStart += step.consumed
            if step.produced > 0 { return step.produced }
            if step.consumed == 0 { throw .gzip(.corrupt("the inflater makes no progress")) }
        }
    }
}

/// `read(2)`, named apart from `DSRByteSource.read(into:)`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
