import Foundation

/// Label packages with audio large enough to be caught mid-upload: a fixture package whose FLAC tracks are
/// replaced by FLAC-encoded noise (the `flac` tool), optionally as another release (its own ICPN and ISRCs).
public enum LargePackage {
    /// Writes `seconds` of 16-bit stereo 44.1 kHz noise as a WAV file (about 176 kB a second), deterministically.
    public static func writeNoiseWAV(at path: String, seconds: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) throws {
        let rate = 44_100, channels = 2, bytes = rate * channels * 2 * seconds
        var header = Data()
        func le32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { header.append(contentsOf: $0) } }
        func le16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { header.append(contentsOf: $0) } }
        header.append(contentsOf: Array("RIFF".utf8)); le32(36 + bytes); header.append(contentsOf: Array("WAVE".utf8))
        header.append(contentsOf: Array("fmt ".utf8)); le32(16); le16(1); le16(channels); le32(rate); le32(rate * channels * 2)
        le16(channels * 2); le16(16)
        header.append(contentsOf: Array("data".utf8)); le32(bytes)
        FileManager.default.createFile(atPath: path, contents: header)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        var state = seed
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var written = 0
        while written < bytes {
            for i in stride(from: 0, to: chunk.count, by: 8) {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                withUnsafeBytes(of: state) { raw in for j in 0..<8 { chunk[i + j] = raw[j] } }
            }
            let n = min(chunk.count, bytes - written)
            handle.write(Data(chunk[0..<n]))
            written += n
        }
        try handle.close()
    }

    /// Encodes `wav` as FLAC at `path` with the `flac` tool (fast preset: noise does not compress anyway).
    public static func encodeFLAC(_ wav: String, to path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        let result = try CommandRunner.run("flac", ["--silent", "-0", "-o", path, wav])
        guard result.status == 0 else { throw HarnessError("flac failed (apt-get install -y flac): \(result.stderr)") }
    }

    /// Copies the fixture package at `fixture` (e.g. `packages/example-album`) to `path`, replaces every
    /// `resources/*.flac` with a copy of `flac`, and, with `release`, makes it another release: ICPN
    /// `release.icpn` and ISRCs with `release.isrcPrefix` (7 characters) and the track number.
    public static func make(at path: String, fixture: String, flac: String, release: (icpn: String, isrcPrefix: String)? = nil) throws {
        try PackageVariant.make(from: RepositoryPaths.fixtures.appendingPathComponent(fixture).path, at: path, flac: flac, release: release)
    }

    /// A valid GS1 ICPN (EAN-13) from twelve digits: the check digit appended.
    public static func icpn(_ twelveDigits: String) -> String { PackageVariant.icpn(twelveDigits) }
}
