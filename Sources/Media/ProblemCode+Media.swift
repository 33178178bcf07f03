import DDEXModel

extension ProblemCode {
    // Media (probes and digests). A file is judged by its bytes, never by its name or the metadata.
    /// The file could not be opened or read (permissions, I/O error, not a regular file, changed while read).
    public static let mediaUnreadable: ProblemCode = "MEDIA_UNREADABLE"
    /// The bytes are one format and the file name's extension says another (`a.flac` holding a WAV).
    public static let mediaFormatMismatch: ProblemCode = "MEDIA_FORMAT_MISMATCH"
    /// A format ddexd does not take (MP3, Ogg, float WAV, RF64, TIFF, …) or bytes of no known format.
    public static let mediaUnsupportedFormat: ProblemCode = "MEDIA_UNSUPPORTED_FORMAT"
    /// The file ends before its headers say it should (cut short while copying or uploading).
    public static let mediaTruncated: ProblemCode = "MEDIA_TRUNCATED"
    /// The headers break the format's rules (bad sizes, bad checksums, missing mandatory parts).
    public static let mediaCorrupt: ProblemCode = "MEDIA_CORRUPT"
    /// The file has no bytes, or an audio file has no samples.
    public static let mediaEmpty: ProblemCode = "MEDIA_EMPTY"
    /// An image whose header declares more than `MediaInspector.maxImagePixels` pixels (a decompression bomb).
    public static let mediaImageTooLarge: ProblemCode = "MEDIA_IMAGE_TOO_LARGE"
}
