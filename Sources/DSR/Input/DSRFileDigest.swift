/// The SHA-256 of a file as stored, without decoding it (for checking whether a file was seen before).
public enum DSRFileDigest {
    /// (lowercase hex SHA-256, size in bytes) of the file at `path`.
    public static func sha256(path: String) throws(DSRError) -> (hex: String, size: Int64) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        do {
            let source = try DSRByteSource(path: path, gzip: false)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { buffer.deallocate() }
            while try source.read(into: buffer) > 0 {}
            return (source.sha256Hex, source.fileBytesRead)
        } catch {
            throw DSRFileParser.map(error, file: name, line: 0)
        }
    }
}
