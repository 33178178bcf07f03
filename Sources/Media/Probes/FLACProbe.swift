import DDEXModel

/// Reads a FLAC file's STREAMINFO, walks its metadata blocks, and checks that the file ends with a complete frame.
///
/// The end check is what catches a file cut short: FLAC frames are not length-prefixed, but each one ends with
/// a CRC-16 of the whole frame. The probe looks for the last frame header (sync code + valid CRC-8) in the tail
/// of the file and requires the CRC-16 from there to the end to match, and that frame to end at the sample
/// count STREAMINFO declares.
struct FLACProbe: MediaProbe {
    private enum State {
        case streamInfo
        case blockHeader(offset: UInt64)
        case firstFrame(audioStart: UInt64, wholeAudio: Bool)
        case tail(start: UInt64)
    }

    private struct StreamInfo {
        var minBlockSize: UInt16
        var maxBlockSize: UInt16
        var maxFrameSize: UInt32
        var sampleRate: UInt32
        var channels: UInt16
        var bitsPerSample: UInt16
        var totalSamples: UInt64
        var md5: String
    }

    let fileSize: UInt64
    let path: String
    private var state = State.streamInfo
    private var info: StreamInfo?
    private var metadataBlocks = 0

    init(fileSize: UInt64, path: String) {
        self.fileSize = fileSize
        self.path = path
    }

    mutating func start() throws(MediaError) -> ProbeStep {
        guard fileSize >= 42 else {
            throw Self.fail(.mediaTruncated, path, "FLAC file of \(fileSize) bytes is too short to hold its STREAMINFO block (42 bytes)")
        }
        return .need(offset: 0, count: 42)
    }

    mutating func received(_ b: [UInt8]) throws(MediaError) -> ProbeStep {
        switch state {
        case .streamInfo:
            return try readStreamInfo(b)
        case .blockHeader(let offset):
            return try readBlockHeader(b, at: offset)
        case .firstFrame(let audioStart, let wholeAudio):
            guard b.count >= 2, b[0] == 0xFF, b[1] & 0xFE == 0xF8 else {
                throw Self.fail(.mediaCorrupt, path, "no FLAC frame sync code at offset \(audioStart), where the audio frames should start")
            }
            if wholeAudio { return try readTail(b) }
            let window = tailWindow(audioStart: audioStart)
            state = .tail(start: fileSize - UInt64(window))
            return .need(offset: fileSize - UInt64(window), count: window)
        case .tail:
            return try readTail(b)
        }
    }

    private mutating func readStreamInfo(_ b: [UInt8]) throws(MediaError) -> ProbeStep {
        let type = b[4] & 0x7F
        let length = b.be24(5)
        guard type == 0, length == 34 else {
            throw Self.fail(.mediaCorrupt, path, "the first FLAC metadata block must be STREAMINFO of 34 bytes; found type \(type) of \(length) bytes")
        }
        let s = 8
        let sampleRate = b.be24(s + 10) >> 4
        let channels = UInt16((b[s + 12] >> 1) & 0x07) + 1
        let bits = UInt16((b[s + 12] & 0x01) << 4 | b[s + 13] >> 4) + 1
        let total = UInt64(b[s + 13] & 0x0F) << 32 | UInt64(b.be32(s + 14))
        let minBlock = b.be16(s)
        let maxBlock = b.be16(s + 2)
        guard sampleRate > 0 else {
            throw Self.fail(.mediaCorrupt, path, "STREAMINFO declares a sample rate of 0")
        }
        guard minBlock >= 16, maxBlock >= minBlock else {
            throw Self.fail(.mediaCorrupt, path, "STREAMINFO declares impossible block sizes (min \(minBlock), max \(maxBlock))")
        }
        guard bits >= 4 else {
            throw Self.fail(.mediaCorrupt, path, "STREAMINFO declares \(bits) bits per sample")
        }
        info = StreamInfo(minBlockSize: minBlock, maxBlockSize: maxBlock, maxFrameSize: b.be24(s + 7), sampleRate: sampleRate,
                          channels: channels, bitsPerSample: bits, totalSamples: total, md5: Array(b[(s + 18)..<(s + 34)]).hex)
        metadataBlocks = 1
        return try next(afterBlockEndingAt: 42, last: b[4] & 0x80 != 0)
    }

    private mutating func readBlockHeader(_ b: [UInt8], at offset: UInt64) throws(MediaError) -> ProbeStep {
        let type = b[0] & 0x7F
        let length = UInt64(b.be24(1))
        guard type != 127 else {
            throw Self.fail(.mediaCorrupt, path, "invalid FLAC metadata block type 127 at offset \(offset)")
        }
        guard type != 0 else {
            throw Self.fail(.mediaCorrupt, path, "a second STREAMINFO block at offset \(offset)")
        }
        let end = offset + 4 + length
        guard end <= fileSize else {
            throw Self.fail(.mediaTruncated, path, "FLAC metadata block (type \(type)) at offset \(offset) declares \(length) bytes; the file ends at \(fileSize)")
        }
        metadataBlocks += 1
        guard metadataBlocks <= 10_000 else {
            throw Self.fail(.mediaCorrupt, path, "more than 10000 FLAC metadata blocks")
        }
        return try next(afterBlockEndingAt: end, last: b[0] & 0x80 != 0)
    }

    private mutating func next(afterBlockEndingAt end: UInt64, last: Bool) throws(MediaError) -> ProbeStep {
        if !last {
            guard end + 4 <= fileSize else {
                throw Self.fail(.mediaTruncated, path, "the file ends at \(fileSize) inside the FLAC metadata blocks (no last-block flag yet)")
            }
            state = .blockHeader(offset: end)
            return .need(offset: end, count: 4)
        }
        // Smallest possible frame: header (6) + one constant subframe + CRC-16.
        guard fileSize >= end + 10 else {
            throw Self.fail(.mediaTruncated, path, "the FLAC metadata ends at offset \(end) and no audio frame follows (file size \(fileSize))")
        }
        let audioBytes = fileSize - end
        let window = tailWindow(audioStart: end)
        if UInt64(window) >= audioBytes {
            state = .firstFrame(audioStart: end, wholeAudio: true)
            tailStart = end
            return .need(offset: end, count: Int(audioBytes))
        }
        state = .firstFrame(audioStart: end, wholeAudio: false)
        return .need(offset: end, count: 2)
    }

    private var tailStart: UInt64 = 0

    /// How much of the end of the file can hold the last frame: the largest frame STREAMINFO declares (when the
    /// encoder recorded it) plus slack, else 1 MiB (more than any FLAC frame of ≤ 8 channels × 32 bits × 65535 samples
    /// compresses to in practice; a verbatim frame that large would be a 2 MiB outlier).
    private func tailWindow(audioStart: UInt64) -> Int {
        let wanted: UInt64 = info.map { $0.maxFrameSize > 0 ? UInt64($0.maxFrameSize) + 64 : 1 << 20 } ?? (1 << 20)
        return Int(min(wanted, fileSize - audioStart))
    }

    private mutating func readTail(_ b: [UInt8]) throws(MediaError) -> ProbeStep {
        guard let info else { throw Self.fail(.mediaCorrupt, path, "internal: STREAMINFO not read") }
        if case .tail(let start) = state { tailStart = start }
        guard let last = Self.lastFrame(in: b) else {
            throw Self.fail(.mediaTruncated, path, "the file does not end with a complete FLAC frame (no frame whose CRC-16 matches the last bytes); it was cut short or damaged")
        }
        let firstSample = last.fixedBlockSize ? last.number * UInt64(info.maxBlockSize) : last.number
        let endSample = firstSample + UInt64(last.blockSize)
        var total = info.totalSamples
        if total == 0 {
            // The encoder did not know the length (streamed encode): the last frame tells it.
            total = endSample
        } else if endSample < total {
            throw Self.fail(.mediaTruncated, path, "the last complete FLAC frame (offset \(tailStart + UInt64(last.offset))) ends at sample \(endSample), STREAMINFO declares \(total) samples")
        } else if endSample > total {
            throw Self.fail(.mediaCorrupt, path, "the last FLAC frame ends at sample \(endSample), beyond the \(total) samples STREAMINFO declares")
        }
        guard total > 0 else { throw Self.fail(.mediaEmpty, path, "the FLAC stream holds no samples") }
        return .done(.audio(AudioDetails(
            codec: .flac, container: "FLAC", sampleRate: info.sampleRate, bitsPerSample: info.bitsPerSample,
            channels: info.channels, totalSamples: total,
            duration: ISODuration(samples: total, sampleRate: info.sampleRate), flacAudioMD5: info.md5)))
    }

    struct FrameHeader: Equatable {
        var offset: Int
        var fixedBlockSize: Bool
        /// Frame number (fixed block size) or first sample number (variable block size).
        var number: UInt64
        var blockSize: UInt32
    }

    /// The last frame in `b` whose header is valid and whose CRC-16 runs exactly to the end of `b`.
    static func lastFrame(in b: [UInt8]) -> FrameHeader? {
        guard b.count >= 10 else { return nil }
        let footer = b.be16(b.count - 2)
        var p = b.count - 8
        while p >= 0 {
            if b[p] == 0xFF, b[p + 1] & 0xFE == 0xF8, let header = frameHeader(in: b, at: p),
               Checksums.crc16(b[p..<(b.count - 2)]) == footer
            {
                return header
            }
            p -= 1
        }
        return nil
    }

    /// Parses a frame header at `p` and checks its CRC-8; nil when it is not one.
    static func frameHeader(in b: [UInt8], at p: Int) -> FrameHeader? {
        guard p + 6 <= b.count else { return nil }
        let blockCode = b[p + 2] >> 4
        let rateCode = b[p + 2] & 0x0F
        let channelCode = b[p + 3] >> 4
        let sizeCode = (b[p + 3] >> 1) & 0x07
        guard blockCode != 0, rateCode != 15, channelCode < 11, sizeCode != 3, sizeCode != 7, b[p + 3] & 1 == 0 else { return nil }
        // UTF-8-like coded frame or sample number (up to 36 bits in 7 bytes).
        var i = p + 4
        let lead = b[i]
        var extra: Int
        var value: UInt64
        switch lead {
        case 0x00...0x7F: extra = 0; value = UInt64(lead)
        case 0xC0...0xDF: extra = 1; value = UInt64(lead & 0x1F)
        case 0xE0...0xEF: extra = 2; value = UInt64(lead & 0x0F)
        case 0xF0...0xF7: extra = 3; value = UInt64(lead & 0x07)
        case 0xF8...0xFB: extra = 4; value = UInt64(lead & 0x03)
        case 0xFC...0xFD: extra = 5; value = UInt64(lead & 0x01)
        case 0xFE: extra = 6; value = 0
        default: return nil
        }
        i += 1
        guard i + extra < b.count else { return nil }
        for _ in 0..<extra {
            guard b[i] & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt64(b[i] & 0x3F)
            i += 1
        }
        var blockSize: UInt32
        switch blockCode {
        case 1: blockSize = 192
        case 2...5: blockSize = 576 << UInt32(blockCode - 2)
        case 6:
            guard i < b.count else { return nil }
            blockSize = UInt32(b[i]) + 1
            i += 1
        case 7:
            guard i + 1 < b.count else { return nil }
            blockSize = UInt32(b.be16(i)) + 1
            i += 2
        default: blockSize = 256 << UInt32(blockCode - 8)
        }
        switch rateCode {
        case 12: i += 1
        case 13, 14: i += 2
        default: break
        }
        guard i < b.count, Checksums.crc8(b[p..<i]) == b[i] else { return nil }
        return FrameHeader(offset: p, fixedBlockSize: b[p + 1] & 1 == 0, number: value, blockSize: blockSize)
    }
}
