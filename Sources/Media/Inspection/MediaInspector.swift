import DDEXModel
import Foundation

/// Measures resource files: what they really are (from their bytes), their size, MD5 and SHA-256, in one read.
///
/// The file is read once, front to back, in `chunkSize` pieces. Every chunk goes through both digests; the
/// format probe chosen from the first bytes sees the same chunks and picks the header ranges it needs. Memory
/// stays at one chunk plus a few header bytes whatever the file size.
public enum MediaInspector {
    /// 1 MiB: large enough that system-call overhead is negligible, small enough to stay in cache.
    public static let defaultChunkSize = 1 << 20

    /// The most pixels an image's header may declare: Pillow's decompression-bomb limit (a quarter GiB of
    /// 24-bit pixels, 9459 × 9459), far above any DSP's cover size. ddexd reads only headers, but a DSP that
    /// renders a 100000 × 100000 cover needs 30 GB of memory for it.
    public static let maxImagePixels: UInt64 = 89_478_485

    /// Probes and digests the file at `url`. `file.path` names it in errors and its extension must agree with the bytes.
    public static func inspect(fileAt url: URL, file: ResourceFile, chunkSize: Int = defaultChunkSize) throws(MediaError) -> MeasuredResource {
        let reader = try FileChunkReader(path: url.path, displayPath: file.path, chunkSize: chunkSize)
        guard reader.size > 0 else { throw MediaError(.mediaEmpty, path: file.path, "the file is empty (0 bytes)") }
        var digest = StreamingDigest()
        var driver: ProbeDriver?
        var offset: UInt64 = 0
        while let chunk = try reader.next() {
            if driver == nil {
                driver = try ProbeDriver(probe: probe(for: chunk, file: file, size: reader.size), path: file.path)
            }
            digest.update(chunk)
            if driver?.isDone == false { try driver?.feed(chunk, at: offset) }
            offset += UInt64(chunk.count)
        }
        guard offset == reader.size else {
            throw MediaError(.mediaUnreadable, path: file.path, "the file changed size while being read (\(reader.size) bytes at open, \(offset) read)")
        }
        guard let driver else { throw MediaError(.mediaEmpty, path: file.path, "the file is empty (0 bytes)") }
        let kind = try driver.finish(streamSize: offset)
        return MeasuredResource(file: file, kind: kind, digest: digest.finalize())
    }

    /// Size, MD5 and SHA-256 of any file, in one read.
    public static func digest(fileAt url: URL, chunkSize: Int = defaultChunkSize) throws(MediaError) -> FileDigest {
        let reader = try FileChunkReader(path: url.path, displayPath: url.path, chunkSize: chunkSize)
        var digest = StreamingDigest()
        while let chunk = try reader.next() { digest.update(chunk) }
        return digest.finalize()
    }

    /// The format the first bytes announce, checked against the file name's extension.
    public static func detectFormat(of firstBytes: [UInt8], file: ResourceFile) throws(MediaError) -> MediaFormat {
        let format: MediaFormat
        switch MediaFormat.sniff(firstBytes) {
        case .format(let f): format = f
        case .unsupported(let what):
            throw MediaError(.mediaUnsupportedFormat, path: file.path, "the file is \(what); ddexd takes FLAC or WAV audio and JPEG or PNG images")
        case .unknown:
            throw MediaError(.mediaUnsupportedFormat, path: file.path, "the first bytes (\(Array(firstBytes.prefix(8)).hex)) are not FLAC, WAV, JPEG or PNG")
        }
        guard format.extensions.contains(file.fileExtension) else {
            let named = MediaFormat.forExtension(file.fileExtension).map { "its name says \($0.rawValue)" }
                ?? (file.fileExtension.isEmpty ? "its name has no extension" : "its extension .\(file.fileExtension) is not one ddexd knows")
            throw MediaError(.mediaFormatMismatch, path: file.path, "the file is \(format.rawValue) but \(named); name it .\(format.extensions.sorted().first ?? "")")
        }
        return format
    }

    private static func probe(for chunk: UnsafeRawBufferPointer, file: ResourceFile, size: UInt64) throws(MediaError) -> any MediaProbe {
        switch try detectFormat(of: Array(chunk.prefix(16)), file: file) {
        case .flac: FLACProbe(fileSize: size, path: file.path)
        case .wav: WAVProbe(fileSize: size, path: file.path)
        case .jpeg: JPEGProbe(fileSize: size, path: file.path)
        case .png: PNGProbe(fileSize: size, path: file.path)
        }
    }
}
