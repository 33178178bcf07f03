import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Intake

/// `ddexd-bench validate [--tracks N] [--mib SIZE] [--dir PATH] [--package PATH] [--runs N]`
///
/// Times `PackageValidator` (metadata, paths, probes, MD5 + SHA-256 of every file) over a FLAC package and, in the
/// same run and over the same files, `md5sum` followed by `sha256sum`. Prints both and their ratio; the target is a
/// ratio ≤ 1.0 (validation costs no more than computing the two checksums with the standard tools).
///
/// Without `--package`, a package of `--tracks` (default 20) FLAC files of about `--mib` MiB each (default 35) is
/// generated under `--dir` (default a temporary folder, removed afterwards) from white noise with the `flac` tool:
/// one file is encoded and copied, so generation takes seconds. Each timing is the best of `--runs` (default 3)
/// after one untimed pass that warms the page cache.
func runValidateBenchmark(arguments: [String]) throws {
    var tracks = 20
    var mib = 35.0
    var dir: String?
    var packagePath: String?
    var runs = 3
    var args = arguments[...]
    while let arg = args.popFirst() {
        func value() throws -> String {
            guard let v = args.popFirst() else { throw BenchmarkError("\(arg) needs a value") }
            return v
        }
        switch arg {
        case "--tracks": tracks = Int(try value()) ?? tracks
        case "--mib": mib = Double(try value()) ?? mib
        case "--dir": dir = try value()
        case "--package": packagePath = try value()
        case "--runs": runs = max(1, Int(try value()) ?? runs)
        default: throw BenchmarkError("unknown argument \(arg); usage: validate [--tracks N] [--mib SIZE] [--dir PATH] [--package PATH] [--runs N]")
        }
    }

    var cleanup: URL?
    let package: URL
    if let packagePath {
        package = URL(fileURLWithPath: packagePath)
    } else {
        let base = dir.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ddexd-bench-validate-\(UUID().uuidString)")
        if dir == nil { cleanup = base }
        package = base.appendingPathComponent("package")
        try makeFLACPackage(at: package, tracks: tracks, mib: mib)
    }
    defer { if let cleanup { try? FileManager.default.removeItem(at: cleanup) } }

    // A release.json package: the schemas are only there because the validator also reads master ERNs.
    let validator = PackageValidator(schemas: ERNSchemaSet(settings: SchemaSettings(folder: ERNBenchOptions.defaultSchemaFolder)))
    let warm = validator.validate(packageAt: package)
    guard warm.valid, let validated = warm.validated else {
        throw BenchmarkError("the package is not valid:\n" + warm.problems.map(\.description).joined(separator: "\n"))
    }
    let files = validated.resources.keys.sorted().map { package.appendingPathComponent($0).path }
    let bytes = validated.resources.values.reduce(UInt64(0)) { $0 + $1.digest.size }
    _ = try runTool("md5sum", files)

    let validateSeconds = try best(of: runs) {
        let report = validator.validate(packageAt: package)
        guard report.valid else { throw BenchmarkError("validation failed during timing") }
    }
    let md5Seconds = try best(of: runs) { _ = try runTool("md5sum", files) }
    let shaSeconds = try best(of: runs) { _ = try runTool("sha256sum", files) }
    let reference = md5Seconds + shaSeconds
    let mibTotal = Double(bytes) / 1_048_576
    func line(_ name: String, _ s: Double) -> String {
        "\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(String(format: "%7.3f", s)) s  \(String(format: "%7.1f", mibTotal / s)) MiB/s"
    }
    print("validate benchmark: \(files.count) files, \(String(format: "%.1f", mibTotal)) MiB, best of \(runs), warm cache")
    print(line("PackageValidator", validateSeconds))
    print(line("md5sum", md5Seconds))
    print(line("sha256sum", shaSeconds))
    print(line("md5sum + sha256sum", reference))
    print("ratio validator / (md5sum + sha256sum): \(String(format: "%.2f", validateSeconds / reference)) (target ≤ 1.0)")
}

/// Writes a valid FLAC album package: white-noise audio (which FLAC cannot shrink, so sizes are realistic), a PNG cover.
private func makeFLACPackage(at package: URL, tracks: Int, mib: Double) throws {
    let fm = FileManager.default
    let resources = package.appendingPathComponent("resources")
    try fm.createDirectory(at: resources, withIntermediateDirectories: true)
    // 16-bit stereo at 44.1 kHz: 176400 bytes per second; noise FLAC is about 95% of the WAV size.
    let dataBytes = Int(mib * 1_048_576 / 0.95) / 4 * 4
    let wav = package.appendingPathComponent("noise.wav")
    guard fm.createFile(atPath: wav.path, contents: nil) else { throw BenchmarkError("cannot create \(wav.path)") }
    let handle = try FileHandle(forWritingTo: wav)
    var header = Data("RIFF".utf8)
    func le32(_ v: Int) -> Data { withUnsafeBytes(of: UInt32(v).littleEndian) { Data($0) } }
    func le16(_ v: Int) -> Data { withUnsafeBytes(of: UInt16(v).littleEndian) { Data($0) } }
    header += le32(36 + dataBytes) + Data("WAVEfmt ".utf8) + le32(16) + le16(1) + le16(2) + le32(44100) + le32(176_400) + le16(4) + le16(16)
    header += Data("data".utf8) + le32(dataBytes)
    try handle.write(contentsOf: header)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var left = dataBytes
    while left > 0 {
        let n = min(left, chunk.count)
        for i in stride(from: 0, to: n, by: 8) {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            withUnsafeBytes(of: state) { for k in 0..<min(8, n - i) { chunk[i + k] = $0[k] } }
        }
        try handle.write(contentsOf: Data(chunk[0..<n]))
        left -= n
    }
    try handle.close()
    let first = resources.appendingPathComponent("01.flac")
    try runTool("flac", ["-s", "-f", "-1", "-o", first.path, wav.path])
    try fm.removeItem(at: wav)
    var trackJSON: [String] = []
    for n in 1...tracks {
        let name = String(format: "%02d.flac", n)
        if n > 1 { try fm.copyItem(at: first, to: resources.appendingPathComponent(name)) }
        trackJSON.append("""
            {"isrc": "GBAYE06\(String(format: "%05d", 10000 + n))", "title": "Track \(n)", "number": \(n), "file": "resources/\(name)"}
        """)
    }
    try makePNG(width: 1400, height: 1400).write(to: resources.appendingPathComponent("cover.png"))
    let json = """
    {
      "icpn": "0094631432057", "grid": "A10302B0001234567I", "title": "Benchmark Album", "displayArtist": "Noise",
      "artists": [{"name": "Noise", "role": "MainArtist"}], "label": "Bench", "genre": "Electronic", "releaseType": "Album",
      "parentalWarning": "NotExplicit", "cover": "resources/cover.png",
      "tracks": [
    \(trackJSON.joined(separator: ",\n"))
      ],
      "deals": [{"territories": ["Worldwide"], "commercialModels": ["SubscriptionModel"], "useTypes": ["OnDemandStream"], "start": "2026-01-01"}]
    }
    """
    try Data(json.utf8).write(to: package.appendingPathComponent("release.json"))
    try Data().write(to: package.appendingPathComponent("READY"))
}

/// A black RGB PNG whose IDAT holds zlib stored blocks (no compressor needed).
private func makePNG(width: Int, height: Int) -> Data {
    func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let td = Array(type.utf8) + data
        return be32(UInt32(data.count)) + td + be32(crc32(td))
    }
    let rowBytes = 1 + width * 3
    let raw = [UInt8](repeating: 0, count: rowBytes * height)
    var z: [UInt8] = [0x78, 0x01]
    var i = 0
    while i < raw.count {
        let n = min(65535, raw.count - i)
        let last: UInt8 = i + n >= raw.count ? 1 : 0
        z += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
        z += raw[i..<i + n]
        i += n
    }
    // Adler-32 of zero bytes: a stays 1, b adds a (1) per byte.
    z += be32(UInt32(raw.count % 65521) << 16 | 1)
    let ihdr = be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0]
    return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", z) + chunk("IEND", []))
}
