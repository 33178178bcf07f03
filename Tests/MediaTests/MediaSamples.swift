import Foundation
import TestSupport
import XCTest

/// Builders for small media files written by hand, byte by byte, so each test controls every header field.
enum MediaSamples {
    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { le16(UInt16(v & 0xFFFF)) + le16(UInt16(v >> 16)) }
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xFFFF)) }

    /// Deterministic pseudo-noise so FLAC cannot compress it to nothing.
    static func noise(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
        var x = seed
        return (0..<count).map { _ in
            x = x &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: x >> 16)
        }
    }

    /// A PCM WAV. `extensibleSubFormat` switches to WAVE_FORMAT_EXTENSIBLE with that sub-format tag (1 = PCM, 3 = float).
    static func wav(samples: Int = 441, rate: UInt32 = 44100, bits: UInt16 = 16, channels: UInt16 = 2,
                    formatTag: UInt16 = 1, extensibleSubFormat: UInt16? = nil, trailing: [UInt8] = [],
                    declaredDataSize: UInt32? = nil, extraChunkBeforeData: Bool = false) -> [UInt8]
    {
        let align = channels * bits / 8
        let data = noise(samples * Int(align))
        var fmt: [UInt8]
        if let sub = extensibleSubFormat {
            fmt = le16(0xFFFE) + le16(channels) + le32(rate) + le32(rate * UInt32(align)) + le16(align) + le16(bits)
            fmt += le16(22) + le16(bits) + le32(3) + le16(sub)
            fmt += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        } else {
            fmt = le16(formatTag) + le16(channels) + le32(rate) + le32(rate * UInt32(align)) + le16(align) + le16(bits)
        }
        var body: [UInt8] = Array("WAVE".utf8) + Array("fmt ".utf8) + le32(UInt32(fmt.count)) + fmt
        if extraChunkBeforeData {
            body += Array("LIST".utf8) + le32(5) + Array("INFOx".utf8) + [0]  // odd size: padded
        }
        body += Array("data".utf8) + le32(declaredDataSize ?? UInt32(data.count)) + data + trailing
        return Array("RIFF".utf8) + le32(UInt32(body.count)) + body
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let td = Array(type.utf8) + data
        return be32(UInt32(data.count)) + td + be32(crc32(td))
    }

    /// A grey PNG whose IDAT holds zlib "stored" blocks of zero rows (valid, uncompressed).
    static func png(width: UInt32 = 16, height: UInt32 = 16, colourType: UInt8 = 2, bitDepth: UInt8 = 8,
                    corruptIHDRCRC: Bool = false) -> [UInt8]
    {
        var ihdr = pngChunk("IHDR", be32(width) + be32(height) + [bitDepth, colourType, 0, 0, 0])
        if corruptIHDRCRC { ihdr[ihdr.count - 1] ^= 0xFF }
        let channels: [UInt8: Int] = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4]
        let rowBytes = 1 + (Int(width) * (channels[colourType] ?? 3) * Int(bitDepth) + 7) / 8
        let raw = [UInt8](repeating: 0, count: rowBytes * Int(height))
        var z: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65535, raw.count - i)
            let final: UInt8 = i + n >= raw.count ? 1 : 0
            z += [final] + le16(UInt16(n)) + le16(~UInt16(n)) + raw[i..<i + n]
            i += n
        } while i < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for x in raw { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
        z += be32(b << 16 | a)
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + ihdr + pngChunk("IDAT", z) + pngChunk("IEND", [])
    }

    /// A JPEG skeleton: SOI, APP0, the given SOF marker, SOS with some entropy bytes, EOI.
    static func jpeg(width: UInt16 = 640, height: UInt16 = 480, components: UInt8 = 3, sof: UInt8 = 0xC0,
                     fillBytes: Int = 0, withEOI: Bool = true) -> [UInt8]
    {
        var out: [UInt8] = [0xFF, 0xD8]
        out += [0xFF, 0xE0] + be16(16) + Array("JFIF".utf8) + [0, 1, 1, 0] + be16(1) + be16(1) + [0, 0]
        out += [UInt8](repeating: 0xFF, count: fillBytes)
        var frame: [UInt8] = [8] + be16(height) + be16(width) + [components]
        for c in 0..<components { frame += [c + 1, 0x11, 0] }
        out += [0xFF, sof] + be16(UInt16(frame.count + 2)) + frame
        out += [0xFF, 0xDA] + be16(8) + [1, 1, 0, 0, 63, 0]
        out += noise(200).map { $0 == 0xFF ? 0x00 : $0 }
        if withEOI { out += [0xFF, 0xD9] }
        return out
    }

    /// Runs a tool and returns its standard output; fails the test if it exits non-zero.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(tool) \(arguments) failed", file: file, line: line)
        return String(decoding: data, as: UTF8.self)
    }

    /// Encodes `wav` to FLAC with the `flac` command-line tool and returns the FLAC bytes.
    static func flac(from wav: [UInt8], in dir: TemporaryDirectory, name: String = "src", extraArguments: [String] = []) throws -> [UInt8] {
        let wavURL = try dir.write(Data(wav), to: "\(name).wav")
        let flacURL = dir.url.appendingPathComponent("\(name).flac")
        try run("flac", ["-s", "-f", "--no-padding"] + extraArguments + ["-o", flacURL.path, wavURL.path])
        return Array(try Data(contentsOf: flacURL))
    }
}
