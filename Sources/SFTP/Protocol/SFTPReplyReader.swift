/// Reads the fields of one SFTP reply in place, without trusting any length the server sent.
struct SFTPReplyReader {
    private let base: UnsafeRawPointer
    private let end: Int
    private(set) var offset = 0

    init(_ base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.end = count
    }

    var remaining: Int { end - offset }

    mutating func byte() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return base.load(fromByteOffset: offset, as: UInt8.self)
    }

    mutating func uint32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func uint64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A length-prefixed string's bytes, in place.
    mutating func bytes() -> UnsafeRawBufferPointer? {
        guard let length = uint32(), Int(length) <= remaining else { return nil }
        defer { offset += Int(length) }
        return UnsafeRawBufferPointer(start: base.advanced(by: offset), count: Int(length))
    }

    /// The next `count` raw bytes (fewer if the reply ends first).
    mutating func bytes(count: Int) -> UnsafeRawBufferPointer {
        let taken = min(max(count, 0), remaining)
        defer { offset += taken }
        return UnsafeRawBufferPointer(start: base.advanced(by: offset), count: taken)
    }

    mutating func string() -> String? {
        bytes().map { String(decoding: $0, as: UTF8.self) }
    }

    /// SFTP v3 attributes; extended attribute pairs are skipped.
    mutating func attributes() -> SFTPFileInfo? {
        guard let flags = uint32() else { return nil }
        var size: UInt64?, permissions: UInt32?, modified: UInt32?
        if flags & SFTPMessage.attributeSize != 0 { guard let value = uint64() else { return nil }; size = value }
        if flags & SFTPMessage.attributeOwner != 0 { guard uint32() != nil, uint32() != nil else { return nil } }
        if flags & SFTPMessage.attributePermissions != 0 {
            guard let value = uint32() else { return nil }
            permissions = value
        }
        if flags & SFTPMessage.attributeTimes != 0 {
            guard uint32() != nil, let value = uint32() else { return nil }
            modified = value
        }
        if flags & SFTPMessage.attributeExtended != 0 {
            guard let pairs = uint32() else { return nil }
            for _ in 0..<pairs { guard bytes() != nil, bytes() != nil else { return nil } }
        }
        return SFTPFileInfo(mode: permissions, size: size, modified: modified)
    }
}
