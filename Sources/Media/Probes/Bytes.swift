/// Bounds-checked reads of big- and little-endian integers from header bytes.
///
/// Probes only call these on buffers the driver filled to the size they asked for, so an index out of
/// range is a probe bug; the accessors still return 0 rather than trap, so no input can crash the process.
extension Array where Element == UInt8 {
    func u8(_ i: Int) -> UInt8 { i >= 0 && i < count ? self[i] : 0 }

    func be16(_ i: Int) -> UInt16 { UInt16(u8(i)) << 8 | UInt16(u8(i + 1)) }
    func be24(_ i: Int) -> UInt32 { UInt32(u8(i)) << 16 | UInt32(u8(i + 1)) << 8 | UInt32(u8(i + 2)) }
    func be32(_ i: Int) -> UInt32 { UInt32(be16(i)) << 16 | UInt32(be16(i + 2)) }

    func le16(_ i: Int) -> UInt16 { UInt16(u8(i)) | UInt16(u8(i + 1)) << 8 }
    func le32(_ i: Int) -> UInt32 { UInt32(le16(i)) | UInt32(le16(i + 2)) << 16 }

    func ascii(_ i: Int, _ n: Int) -> String {
        String(decoding: (0..<n).map { u8(i + $0) }.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
