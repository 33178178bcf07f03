import CDDEXZlib

/// Streams one entry's bytes out of a `ZipArchive` with hard bounds, checking its CRC-32.
///
/// Reads only the entry's own compressed bytes (`dataOffset` … `+ compressedSize`, already checked to lie
/// inside the file). Output stops the moment it would pass the declared size — nothing past it reaches the
/// sink —, a deflate stream that needs more input than the entry has is an error (never a wait), and a
/// stream that ends short of the declared size is one too.
struct ZipEntryExtractor {
    enum Failure: Error {
        /// The entry inflates past its declared size (`produced` is what was reached when it stopped).
        case tooLarge(declared: UInt64, produced: UInt64)
        /// The entry ends before its declared size.
        case tooSmall(declared: UInt64, produced: UInt64)
        /// Damaged data: a zlib error, a stream cut short, a CRC that does not match.
        case corrupt(String)
        /// The sink refused the bytes (a write failed).
        case sink(any Error)
        /// `shouldStop` said so (the process is being terminated).
        case stopped
    }

    /// Bytes read from the zip, and produced, per step: large enough to make system calls rare.
    static let chunkSize = 256 * 1024

    let archive: ZipArchive
    let shouldStop: @Sendable () -> Bool

    /// Hands the entry's bytes to `sink` chunk by chunk.
    func extract(_ entry: ZipEntry, into sink: (UnsafeRawBufferPointer) throws -> Void) throws(Failure) {
        let input = UnsafeMutableRawPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { input.deallocate() }
        var stream = Stream(archive: archive, entry: entry, buffer: input)
        switch entry.method {
        case .stored: try copy(&stream, sink: sink)
        case .deflated: try inflate(&stream, sink: sink)
        }
        guard stream.produced == entry.uncompressedSize else {
            throw .tooSmall(declared: entry.uncompressedSize, produced: stream.produced)
        }
        guard stream.crc == entry.crc32 else {
            throw .corrupt("its CRC-32 is \(String(stream.crc, radix: 16)), the zip declares \(String(entry.crc32, radix: 16))")
        }
    }

    /// The compressed side: what is left to read, and what came out so far.
    private struct Stream {
        let archive: ZipArchive
        let entry: ZipEntry
        let buffer: UnsafeMutableRawPointer
        var offset: UInt64
        var remaining: UInt64
        var produced: UInt64 = 0
        var crc = UInt32(CDDEXZlib.crc32(0, nil, 0))

        init(archive: ZipArchive, entry: ZipEntry, buffer: UnsafeMutableRawPointer) {
            self.archive = archive
            self.entry = entry
            self.buffer = buffer
            offset = entry.dataOffset
            remaining = entry.compressedSize
        }

        /// The next piece of compressed input in `buffer`; 0 when the entry's bytes are used up.
        mutating func nextInput() throws(Failure) -> Int {
            let count = Int(min(remaining, UInt64(ZipEntryExtractor.chunkSize)))
            guard count > 0 else { return 0 }
            do {
                try archive.read(at: offset, into: buffer, count: count)
            } catch {
                throw .corrupt(error.message)
            }
            offset += UInt64(count)
            remaining -= UInt64(count)
            return count
        }

        /// Counts and checksums output, refusing it before the sink sees a byte past the declared size.
        mutating func emit(_ bytes: UnsafeRawBufferPointer, to sink: (UnsafeRawBufferPointer) throws -> Void) throws(Failure) {
            guard !bytes.isEmpty else { return }
            let (total, overflow) = produced.addingReportingOverflow(UInt64(bytes.count))
            guard !overflow, total <= entry.uncompressedSize else {
                throw .tooLarge(declared: entry.uncompressedSize, produced: total)
            }
            produced = total
            crc = UInt32(CDDEXZlib.crc32(uLong(crc), bytes.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
            do {
                try sink(bytes)
            } catch {
                throw .sink(error)
            }
        }
    }

    private func copy(_ stream: inout Stream, sink: (UnsafeRawBufferPointer) throws -> Void) throws(Failure) {
        while true {
            let count = try stream.nextInput()
            guard count > 0 else { return }
            try stream.emit(UnsafeRawBufferPointer(start: stream.buffer, count: count), to: sink)
            if shouldStop() { throw .stopped }
        }
    }

    private func inflate(_ stream: inout Stream, sink: (UnsafeRawBufferPointer) throws -> Void) throws(Failure) {
        var z = z_stream()
        // -15: raw deflate, as zip stores it (no zlib or gzip framing).
        guard ddexd_inflate_init2(&z, -15) == Z_OK else { throw .corrupt("zlib could not start") }
        defer { inflateEnd(&z) }
        let output = UnsafeMutableRawPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { output.deallocate() }
        while true {
            if z.avail_in == 0 {
                let count = try stream.nextInput()
                guard count > 0 else {
                    throw .corrupt("its deflate stream needs more bytes than the entry has (cut short or forged)")
                }
                z.next_in = stream.buffer.assumingMemoryBound(to: Bytef.self)
                z.avail_in = uInt(count)
            }
            z.next_out = output.assumingMemoryBound(to: Bytef.self)
            z.avail_out = uInt(Self.chunkSize)
            let availableIn = z.avail_in
            let result = CDDEXZlib.inflate(&z, Z_NO_FLUSH)
            let produced = Self.chunkSize - Int(z.avail_out)
            try stream.emit(UnsafeRawBufferPointer(start: output, count: produced), to: sink)
            switch result {
            case Z_STREAM_END: return
            case Z_OK, Z_BUF_ERROR:
                // With input and room for output zlib always moves; if it did not, the loop would spin.
                guard produced > 0 || z.avail_in < availableIn else { throw .corrupt("its deflate stream does not progress") }
            default: throw .corrupt(z.msg.map { String(cString: $0) } ?? "zlib error \(result)")
            }
            if shouldStop() { throw .stopped }
        }
    }
}
