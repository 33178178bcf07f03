#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cell's bytes (escapes decoded, valid UTF-8), borrowed from the reader's buffers: valid only until the reader
/// is asked for its next record. Compare and bind them as they are; make a `String` only of what is kept.
public struct DSRCellBytes: @unchecked Sendable {
    // Unchecked: the pointer is only read, and only while the reader that lent it is on the same record.
    public let bytes: UnsafeRawBufferPointer

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// No bytes.
    public static let empty = DSRCellBytes(UnsafeRawBufferPointer(start: nil, count: 0))

    public var count: Int { bytes.count }
    public var isEmpty: Bool { bytes.isEmpty }

    /// The cell as a new `String`.
    public var string: String { bytes.isEmpty ? "" : String(decoding: bytes, as: UTF8.self) }

    /// True when the cell holds exactly the bytes of `other`.
    @inline(__always)
    public func equals(_ other: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == other.count else { return false }
        guard let a = bytes.baseAddress, let b = other.baseAddress else { return true }
        return memcmp(a, b, bytes.count) == 0
    }

    /// True when the cell holds exactly the UTF-8 of `text`.
    public func equals(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { equals(UnsafeRawBufferPointer($0)) }
    }
}
