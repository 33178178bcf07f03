/// The container formats ddexd measures, recognised from a file's first bytes.
public enum MediaFormat: String, Sendable, Hashable, CaseIterable {
    case flac = "FLAC"
    case wav = "WAV"
    case jpeg = "JPEG"
    case png = "PNG"

    /// File-name extensions (lower case) that may carry this format.
    public var extensions: Set<String> {
        switch self {
        case .flac: ["flac"]
        case .wav: ["wav", "wave"]
        case .jpeg: ["jpg", "jpeg"]
        case .png: ["png"]
        }
    }

    /// The format a lower-case extension announces, if any.
    public static func forExtension(_ ext: String) -> MediaFormat? {
        allCases.first { $0.extensions.contains(ext) }
    }

    public var isAudio: Bool { self == .flac || self == .wav }
}

/// What the first bytes of a file say it is.
enum SniffResult: Equatable {
    case format(MediaFormat)
    /// A known format ddexd does not take, with its name for the message.
    case unsupported(String)
    case unknown
}

extension MediaFormat {
    /// Recognises a format from the first bytes of a file (at least 12 when the file has them).
    static func sniff(_ b: some RandomAccessCollection<UInt8>) -> SniffResult {
        let bytes = Array(b.prefix(16))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        let ascii = { (s: String) in Array(s.utf8) }
        if starts(ascii("fLaC")) { return .format(.flac) }
        if starts(ascii("RIFF")) {
            if starts(ascii("WAVE"), at: 8) { return .format(.wav) }
            if starts(ascii("AVI "), at: 8) { return .unsupported("AVI video") }
            return .unsupported("RIFF file that is not WAVE")
        }
        if starts(ascii("RF64")) || starts(ascii("BW64")) { return .unsupported("RF64/BW64 WAV (64-bit sizes)") }
        if starts(ascii("RIFX")) { return .unsupported("big-endian RIFX WAV") }
        if starts([0xFF, 0xD8, 0xFF]) { return .format(.jpeg) }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .format(.png) }
        if starts(ascii("ID3")) { return .unsupported("MP3 or ID3-tagged audio (an ID3 tag before the audio)") }
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] & 0xE0 == 0xE0 { return .unsupported("MPEG audio (MP3)") }
        if starts(ascii("OggS")) { return .unsupported("Ogg (Vorbis/Opus/Ogg FLAC)") }
        if starts(ascii("ftyp"), at: 4) { return .unsupported("MP4/M4A/ALAC (ISO media)") }
        if starts(ascii("FORM")) { return .unsupported("AIFF") }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .unsupported("TIFF") }
        if starts(ascii("GIF8")) { return .unsupported("GIF") }
        if starts(ascii("BM")) { return .unsupported("BMP") }
        if starts(ascii("%PDF")) { return .unsupported("PDF") }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return .unsupported("ZIP archive") }
        return .unknown
    }
}
