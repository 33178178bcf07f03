/// The small checksums the probed formats carry in their headers: FLAC's CRC-8 and CRC-16, PNG's CRC-32.
enum Checksums {
    /// CRC-8, polynomial x^8+x^2+x+1 (0x07), initial 0: FLAC frame headers.
    static func crc8(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        var crc: UInt8 = 0
        for b in bytes { crc = crc8Table[Int(crc ^ b)] }
        return crc
    }

    /// CRC-16, polynomial x^16+x^15+x^2+1 (0x8005), initial 0: FLAC frames.
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for b in bytes { crc = (crc << 8) ^ crc16Table[Int(UInt8(crc >> 8) ^ b)] }
        return crc
    }

    /// CRC-32 (ISO 3309, reflected 0xEDB88320): PNG chunks.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = crc32Table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crc8Table: [UInt8] = (0..<256).map { i in
        var c = UInt8(i)
        for _ in 0..<8 { c = c & 0x80 != 0 ? (c << 1) ^ 0x07 : c << 1 }
        return c
    }

    private static let crc16Table: [UInt16] = (0..<256).map { i in
        var c = UInt16(i) << 8
        for _ in 0..<8 { c = c & 0x8000 != 0 ? (c << 1) ^ 0x8005 : c << 1 }
        return c
    }

    private static let crc32Table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
