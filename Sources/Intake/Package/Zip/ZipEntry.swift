/// One entry of a zip's central directory, with every size and offset already checked against the file.
struct ZipEntry: Sendable {
    enum Method: Sendable, Equatable {
        case stored
        case deflated
    }

    /// The name as the zip gives it, decoded (UTF-8, or CP437 when not valid UTF-8 and not flagged as UTF-8).
    var name: String
    /// The name's bytes, to tell Unicode twins (`é` and `e` + U+0301) from a true duplicate.
    var rawName: [UInt8]
    var method: Method
    var crc32: UInt32
    var compressedSize: UInt64
    /// What the headers declare; unpacking stops the moment an entry inflates past it.
    var uncompressedSize: UInt64
    /// Where the entry's data starts (after its local header).
    var dataOffset: UInt64
    var isDirectory: Bool
    /// The Unix mode in the external attributes says symbolic link.
    var isSymlink: Bool
}
