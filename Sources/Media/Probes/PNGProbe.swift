import DDEXModel

/// Reads a PNG's IHDR (checking its CRC) and checks that the file ends with an IEND chunk.
struct PNGProbe: MediaProbe {
    private enum State {
        case header
        case end
    }

    private static let iend: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    let fileSize: UInt64
    let path: String
    private var state = State.header
    private var details: ImageDetails?

    init(fileSize: UInt64, path: String) {
        self.fileSize = fileSize
        self.path = path
    }

    mutating func start() throws(MediaError) -> ProbeStep {
        guard fileSize >= 33 else {
            throw Self.fail(.mediaTruncated, path, "PNG file of \(fileSize) bytes is too short for its signature and IHDR chunk (33 bytes)")
        }
        return .need(offset: 0, count: 33)
    }

    mutating func received(_ b: [UInt8]) throws(MediaError) -> ProbeStep {
        switch state {
        case .header:
            guard b.be32(8) == 13, b.ascii(12, 4) == "IHDR" else {
                throw Self.fail(.mediaCorrupt, path, "the first PNG chunk must be IHDR of 13 bytes; found '\(b.ascii(12, 4))' of \(b.be32(8)) bytes")
            }
            guard Checksums.crc32(b[12..<29]) == b.be32(29) else {
                throw Self.fail(.mediaCorrupt, path, "the IHDR chunk's CRC does not match its bytes")
            }
            let width = b.be32(16)
            let height = b.be32(20)
            let depth = b[24]
            let colour = b[25]
            guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
                throw Self.fail(.mediaCorrupt, path, "IHDR declares \(width)×\(height) pixels")
            }
            let allowed: [UInt8: (components: UInt8, depths: Set<UInt8>)] = [
                0: (1, [1, 2, 4, 8, 16]), 2: (3, [8, 16]), 3: (3, [1, 2, 4, 8]), 4: (2, [8, 16]), 6: (4, [8, 16]),
            ]
            guard let rule = allowed[colour], rule.depths.contains(depth) else {
                throw Self.fail(.mediaCorrupt, path, "IHDR declares colour type \(colour) with bit depth \(depth), which PNG does not allow")
            }
            guard b[26] == 0, b[27] == 0, b[28] <= 1 else {
                throw Self.fail(.mediaCorrupt, path, "IHDR declares an unknown compression, filter or interlace method")
            }
            details = ImageDetails(codec: .png, width: width, height: height, components: rule.components, bitDepth: depth)
            guard fileSize >= 33 + 12 + 12 else {
                throw Self.fail(.mediaTruncated, path, "the PNG ends at \(fileSize) with no image data and no IEND chunk")
            }
            state = .end
            return .need(offset: fileSize - 12, count: 12)
        case .end:
            guard b == Self.iend, let details else {
                throw Self.fail(.mediaTruncated, path, "the PNG does not end with an IEND chunk; the file was cut short")
            }
            return .done(.image(details))
        }
    }
}
