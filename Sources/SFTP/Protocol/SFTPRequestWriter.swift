/// Writes one SFTP request, big-endian as the wire wants it, into memory the caller owns (an outgoing segment), so a
/// write request's data can be read from the local file straight behind its header, without a copy.
struct SFTPRequestWriter {
    private let base: UnsafeMutableRawPointer
    private let capacity: Int
    private(set) var count = 4 // the length field comes first and is filled in by `finish()`

    init(into base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Bytes a request with `payload` bytes of arguments (names, handles, …) takes, for sizing segments.
    static func size(payload: Int) -> Int { 4 + 1 + 4 + payload }

    mutating func byte(_ value: UInt8) {
        precondition(count + 1 <= capacity, "SFTP request larger than its segment")
        base.storeBytes(of: value, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    mutating func uint32(_ value: UInt32) {
        precondition(count + 4 <= capacity, "SFTP request larger than its segment")
        base.storeBytes(of: value.bigEndian, toByteOffset: count, as: UInt32.self)
        count += 4
    }

    mutating func uint64(_ value: UInt64) {
        precondition(count + 8 <= capacity, "SFTP request larger than its segment")
        base.storeBytes(of: value.bigEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    mutating func string<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        uint32(UInt32(bytes.count))
        precondition(count + bytes.count <= capacity, "SFTP request larger than its segment")
        let target = base.advanced(by: count).assumingMemoryBound(to: UInt8.self)
        var index = 0
        for byte in bytes {
            target[index] = byte
            index += 1
        }
        count += bytes.count
    }

    mutating func string(_ text: String) { string(Array(text.utf8)) }

    /// Where `length` bytes of raw data go next (a write request's data, read by the caller), then counted.
    mutating func reserve(_ length: Int) -> UnsafeMutableRawPointer {
        precondition(count + length <= capacity, "SFTP request larger than its segment")
        defer { count += length }
        return base.advanced(by: count)
    }

    /// Gives back the tail of a reservation the caller did not fill (a short read at the end of a file).
    mutating func unreserve(_ length: Int) { count -= length }

    /// Fills in the length field; returns the request's size in bytes.
    func finish() -> Int {
        base.storeBytes(of: UInt32(count - 4).bigEndian, as: UInt32.self)
        return count
    }
}
