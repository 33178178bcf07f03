import DDEXModel

/// Reads a RIFF/WAVE file's chunks up to the data chunk: the fmt chunk's format, and the data size for the duration.
///
/// Only integer PCM is accepted: format tag 1, or 0xFFFE (EXTENSIBLE) whose sub-format GUID is PCM. Whether a
/// DSP takes EXTENSIBLE at all is the bundler's business; the tag is reported in `AudioDetails.wavFormatTag`.
struct WAVProbe: MediaProbe {
    private enum State {
        case riffHeader
        case chunkHeader(offset: UInt64)
        case fmt(offset: UInt64, size: UInt32)
    }

    private struct Format {
        var tag: UInt16
        var channels: UInt16
        var sampleRate: UInt32
        var blockAlign: UInt16
        var bitsPerSample: UInt16
    }

    /// KSDATAFORMAT_SUBTYPE_PCM after its first two bytes (which hold the format tag 0x0001).
    private static let pcmGUIDTail: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]

    let fileSize: UInt64
    let path: String
    private var state = State.riffHeader
    private var riffEnd: UInt64 = 0
    private var format: Format?
    private var chunks = 0

    init(fileSize: UInt64, path: String) {
        self.fileSize = fileSize
        self.path = path
    }

    mutating func start() throws(MediaError) -> ProbeStep {
        guard fileSize >= 12 else {
            throw Self.fail(.mediaTruncated, path, "WAV file of \(fileSize) bytes is too short for its RIFF header (12 bytes)")
        }
        return .need(offset: 0, count: 12)
    }

    mutating func received(_ b: [UInt8]) throws(MediaError) -> ProbeStep {
        switch state {
        case .riffHeader:
            riffEnd = 8 + UInt64(b.le32(4))
            return try chunk(at: 12)
        case .chunkHeader(let offset):
            return try readChunkHeader(b, at: offset)
        case .fmt(let offset, let size):
            try readFormat(b, at: offset, size: size)
            return try chunk(at: offset + 8 + UInt64(size) + UInt64(size & 1))
        }
    }

    private mutating func chunk(at offset: UInt64) throws(MediaError) -> ProbeStep {
        guard offset + 8 <= fileSize else {
            if riffEnd > fileSize {
                throw Self.fail(.mediaTruncated, path, "the file ends at \(fileSize) before the data chunk; the RIFF header declares \(riffEnd) bytes")
            }
            throw Self.fail(.mediaCorrupt, path, format == nil ? "no fmt chunk and no data chunk" : "no data chunk")
        }
        chunks += 1
        guard chunks <= 10_000 else { throw Self.fail(.mediaCorrupt, path, "more than 10000 RIFF chunks before the data chunk") }
        state = .chunkHeader(offset: offset)
        return .need(offset: offset, count: 8)
    }

    private mutating func readChunkHeader(_ b: [UInt8], at offset: UInt64) throws(MediaError) -> ProbeStep {
        let id = b.ascii(0, 4)
        let size = b.le32(4)
        let bodyStart = offset + 8
        switch id {
        case "fmt ":
            guard format == nil else { throw Self.fail(.mediaCorrupt, path, "a second fmt chunk at offset \(offset)") }
            guard size >= 16 else { throw Self.fail(.mediaCorrupt, path, "the fmt chunk at offset \(offset) has \(size) bytes; at least 16 are needed") }
            guard bodyStart + UInt64(size) <= fileSize else {
                throw Self.fail(.mediaTruncated, path, "the fmt chunk at offset \(offset) declares \(size) bytes; the file ends at \(fileSize)")
            }
            state = .fmt(offset: offset, size: size)
            return .need(offset: bodyStart, count: Int(min(size, 40)))
        case "data":
            guard let format else {
                throw Self.fail(.mediaCorrupt, path, "the data chunk at offset \(offset) comes before any fmt chunk")
            }
            return try finish(format: format, dataStart: bodyStart, dataSize: size)
        default:
            let end = bodyStart + UInt64(size) + UInt64(size & 1)
            guard bodyStart + UInt64(size) <= fileSize else {
                throw Self.fail(.mediaTruncated, path, "the '\(id)' chunk at offset \(offset) declares \(size) bytes; the file ends at \(fileSize)")
            }
            return try chunk(at: end)
        }
    }

    private mutating func readFormat(_ b: [UInt8], at offset: UInt64, size: UInt32) throws(MediaError) {
        let tag = b.le16(0)
        var f = Format(tag: tag, channels: b.le16(2), sampleRate: b.le32(4), blockAlign: b.le16(12), bitsPerSample: b.le16(14))
        switch tag {
        case 0x0001:
            break
        case 0xFFFE:
            guard size >= 40, b.le16(16) >= 22 else {
                throw Self.fail(.mediaCorrupt, path, "WAVE_FORMAT_EXTENSIBLE fmt chunk at offset \(offset) is shorter than 40 bytes")
            }
            guard b.le16(24) == 0x0001, Array(b[26..<40]) == Self.pcmGUIDTail else {
                let what = b.le16(24) == 0x0003 ? "IEEE float" : "sub-format \(Array(b[24..<40]).hex)"
                throw Self.fail(.mediaUnsupportedFormat, path, "WAVE_FORMAT_EXTENSIBLE with \(what); only integer PCM is accepted")
            }
            let valid = b.le16(18)
            if valid > 0, valid < f.bitsPerSample { f.bitsPerSample = valid }
        case 0x0003:
            throw Self.fail(.mediaUnsupportedFormat, path, "IEEE float WAV (format tag 3); only integer PCM is accepted")
        default:
            throw Self.fail(.mediaUnsupportedFormat, path, "WAV format tag 0x\(String(tag, radix: 16)) is compressed or unknown; only integer PCM (tag 1) is accepted")
        }
        let containerBits = b.le16(14)
        guard f.channels >= 1, f.sampleRate > 0, [8, 16, 24, 32].contains(containerBits) else {
            throw Self.fail(.mediaCorrupt, path, "fmt chunk declares \(f.channels) channels at \(f.sampleRate) Hz with \(containerBits) bits per sample")
        }
        guard Int(f.blockAlign) == Int(f.channels) * Int(containerBits) / 8 else {
            throw Self.fail(.mediaCorrupt, path, "fmt chunk block align \(f.blockAlign) does not equal channels × bytes per sample (\(Int(f.channels) * Int(containerBits) / 8))")
        }
        format = f
    }

    private func finish(format f: Format, dataStart: UInt64, dataSize: UInt32) throws(MediaError) -> ProbeStep {
        let dataEnd = dataStart + UInt64(dataSize)
        guard dataEnd <= fileSize else {
            throw Self.fail(.mediaTruncated, path, "the data chunk at offset \(dataStart - 8) declares \(dataSize) bytes of audio; the file holds only \(fileSize - dataStart) after its header")
        }
        guard dataSize % UInt32(f.blockAlign) == 0 else {
            throw Self.fail(.mediaCorrupt, path, "the data chunk's \(dataSize) bytes are not a whole number of \(f.blockAlign)-byte sample frames")
        }
        let samples = UInt64(dataSize / UInt32(f.blockAlign))
        guard samples > 0 else { throw Self.fail(.mediaEmpty, path, "the data chunk holds no samples") }
        let padded = dataEnd + UInt64(dataSize & 1)
        return .done(.audio(AudioDetails(
            codec: .pcm, container: "WAV", sampleRate: f.sampleRate, bitsPerSample: f.bitsPerSample, channels: f.channels,
            totalSamples: samples, duration: ISODuration(samples: samples, sampleRate: f.sampleRate), wavFormatTag: f.tag,
            bytesAfterData: fileSize > padded ? fileSize - padded : 0)))
    }
}
