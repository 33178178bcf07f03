import DDEXModel

/// Walks a JPEG's marker segments to the frame header (SOFn) for size, components and precision, then checks
/// that an end-of-image marker closes the file.
///
/// Every JPEG process is accepted and reported as JPEG (baseline, progressive, lossless); which a DSP takes is
/// the bundler's business.
struct JPEGProbe: MediaProbe {
    private enum State {
        case marker(offset: UInt64)
        case frame(offset: UInt64, marker: UInt8, length: UInt16)
        case end
    }

    let fileSize: UInt64
    let path: String
    private var state = State.marker(offset: 2)
    private var details: ImageDetails?
    private var steps = 0

    init(fileSize: UInt64, path: String) {
        self.fileSize = fileSize
        self.path = path
    }

    /// Size of the tail searched for the EOI marker: encoders may pad after it.
    static let tailSearch: UInt64 = 1024

    mutating func start() throws(MediaError) -> ProbeStep {
        try marker(at: 2)
    }

    private mutating func marker(at offset: UInt64) throws(MediaError) -> ProbeStep {
        guard offset + 4 <= fileSize else {
            throw Self.fail(.mediaTruncated, path, "the JPEG ends at \(fileSize) before its frame header (SOF)")
        }
        steps += 1
        guard steps <= 100_000 else { throw Self.fail(.mediaCorrupt, path, "more than 100000 JPEG markers before the frame header") }
        state = .marker(offset: offset)
        return .need(offset: offset, count: 4)
    }

    mutating func received(_ b: [UInt8]) throws(MediaError) -> ProbeStep {
        switch state {
        case .marker(let offset): try segment(b, at: offset)
        case .frame(let offset, _, let length): try frameHeader(b, at: offset, length: length)
        case .end: try endOfImage(b)
        }
    }

    /// The 4 bytes at a marker: skips fill bytes, markers without a length and segments other than a frame header;
    /// at a frame header (SOFn, not DHT/JPG/DAC) asks for its first 6 bytes. Image markers before a frame header are
    /// errors.
    private mutating func segment(_ b: [UInt8], at offset: UInt64) throws(MediaError) -> ProbeStep {
        guard b[0] == 0xFF else {
            throw Self.fail(.mediaCorrupt, path, "expected a JPEG marker (0xFF) at offset \(offset), found 0x\(String(b[0], radix: 16))")
        }
        let m = b[1]
        switch m {
        case 0xFF:
            return try marker(at: offset + 1)  // fill byte
        case 0x01, 0xD0...0xD7:
            return try marker(at: offset + 2)  // markers without a length
        case 0xD8:
            throw Self.fail(.mediaCorrupt, path, "a second start-of-image marker at offset \(offset)")
        case 0xD9:
            throw Self.fail(.mediaCorrupt, path, "end-of-image marker at offset \(offset) before any frame header")
        case 0xDA:
            throw Self.fail(.mediaCorrupt, path, "scan data at offset \(offset) before any frame header (SOF)")
        default:
            break
        }
        let length = b.be16(2)
        guard length >= 2 else { throw Self.fail(.mediaCorrupt, path, "JPEG segment at offset \(offset) has length \(length)") }
        let end = offset + 2 + UInt64(length)
        guard end <= fileSize else {
            throw Self.fail(.mediaTruncated, path, "JPEG segment 0xFF\(String(m, radix: 16, uppercase: true)) at offset \(offset) declares \(length) bytes; the file ends at \(fileSize)")
        }
        let isSOF = (0xC0...0xCF).contains(m) && m != 0xC4 && m != 0xC8 && m != 0xCC
        guard isSOF else { return try marker(at: end) }
        guard length >= 8 else { throw Self.fail(.mediaCorrupt, path, "JPEG frame header at offset \(offset) is \(length) bytes long") }
        state = .frame(offset: offset, marker: m, length: length)
        return .need(offset: offset + 4, count: 6)
    }

    /// The frame header's precision, size and components; then asks for the file's tail to find the EOI marker.
    private mutating func frameHeader(_ b: [UInt8], at offset: UInt64, length: UInt16) throws(MediaError) -> ProbeStep {
        let precision = b[0]
        let height = b.be16(1)
        let width = b.be16(3)
        let components = b[5]
        guard width > 0, height > 0 else {
            throw Self.fail(.mediaCorrupt, path, "JPEG frame header at offset \(offset) declares \(width)×\(height) pixels")
        }
        guard components >= 1, components <= 4, Int(length) == 8 + 3 * Int(components) else {
            throw Self.fail(.mediaCorrupt, path, "JPEG frame header at offset \(offset) declares \(components) components in \(length) bytes")
        }
        details = ImageDetails(codec: .jpeg, width: UInt32(width), height: UInt32(height), components: components, bitDepth: precision)
        let end = offset + 2 + UInt64(length)
        let start = max(end, fileSize >= Self.tailSearch ? fileSize - Self.tailSearch : 0)
        guard fileSize >= start + 2 else {
            throw Self.fail(.mediaTruncated, path, "the JPEG ends right after its frame header, with no image data")
        }
        state = .end
        return .need(offset: start, count: Int(fileSize - start))
    }

    /// The file's tail must hold an end-of-image marker (FFD9); encoders may pad after it.
    private func endOfImage(_ b: [UInt8]) throws(MediaError) -> ProbeStep {
        var found = false
        if b.count >= 2 {
            for i in stride(from: b.count - 2, through: 0, by: -1) where b[i] == 0xFF && b[i + 1] == 0xD9 {
                found = true
                break
            }
        }
        guard found, let details else {
            throw Self.fail(.mediaTruncated, path, "no JPEG end-of-image marker (FFD9) in the last \(b.count) bytes; the file was cut short")
        }
        return .done(.image(details))
    }
}
