import Foundation
import Glibc

extension SFTPClient {
    /// Whether the remote file holds exactly the bytes of the local file, read back and compared; nil when the
    /// server refuses reading it (a write-only drop box), so that the caller can only compare sizes.
    public func sameContent(_ remotePath: String, as localPath: String) throws(SFTPError) -> Bool? {
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("ddexd-compare-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { unlink(copy) }
        do {
            _ = try download(remotePath, to: copy)
        } catch where error.kind == .permissionDenied {
            return nil
        }
        return try Self.filesEqual(copy, localPath)
    }

    static func filesEqual(_ first: String, _ second: String) throws(SFTPError) -> Bool {
        let a = try LocalFile(openForReading: first, operation: "compare")
        defer { a.close() }
        let b = try LocalFile(openForReading: second, operation: "compare")
        defer { b.close() }
        guard try a.size() == b.size() else { return false }
        let chunk = 1 << 20
        let left = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        let right = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { left.deallocate(); right.deallocate() }
        while true {
            let n = try a.read(into: left, count: chunk)
            guard try b.read(into: right, count: chunk) == n else { return false }
            if n == 0 { return true }
            if memcmp(left, right, n) != 0 { return false }
        }
    }
}
