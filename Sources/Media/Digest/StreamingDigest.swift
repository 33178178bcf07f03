import Crypto
import DDEXModel

/// Size, MD5 and SHA-256 of a byte stream, updated chunk by chunk so memory does not grow with the file.
public struct StreamingDigest {
    private var md5 = Insecure.MD5()
    private var sha256 = SHA256()
    public private(set) var size: UInt64 = 0

    public init() {}

    /// Adds the next bytes of the stream.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        md5.update(bufferPointer: bytes)
        sha256.update(bufferPointer: bytes)
        size += UInt64(bytes.count)
    }

    /// The digest of every byte added so far.
    public func finalize() -> FileDigest {
        FileDigest(size: size, md5: Array(md5.finalize()).hex, sha256: Array(sha256.finalize()).hex)
    }
}
