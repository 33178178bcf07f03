import Bundling
import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Harness
#if canImport(Glibc)
import Glibc
#endif

/// `ddexd-bench bundle [--files 4] [--size-mb 100] [--dir DIR] [--runs 3] [--schemas DIR]`
///
/// Compares, in the same run and on the same files, the time to **bundle** a package of `files` × `size-mb`
/// MB with the time `md5sum` + `sha256sum` take to read those files once each (the cost of hashing them).
/// Target: bundle ÷ (md5sum + sha256sum) ≤ 0.6.
///
/// What "bundle" measures: `BundleBuilder.build` for one DSP (ERN 4.3, batch choreography, MD5) into a
/// folder on the same file system as the package: suitability check, message build and semantic check,
/// hard-linking the resources, streaming the ERN and the BatchComplete manifest to disk, validating both
/// in-process against the official XSDs, the atomic rename and the `.bundle.json`. It does **not** include
/// the intake's digest pass (one streaming read computing MD5 and SHA-256 together, done once per package at
/// validation): the checksums come from the `ValidatedRelease`, which this benchmark fills from the md5sum
/// and sha256sum output. The XSD schemas are compiled once before timing (the daemon keeps them loaded);
/// that compile time is reported separately. The best of `runs` is reported for both sides.
func runBundleBenchmark(arguments: [String]) throws {
    let options = ERNBenchOptions(arguments)
    let fileCount = max(1, min(options.int("--files", 4), 99))
    let sizeMB = options.int("--size-mb", 100)
    let runs = max(1, options.int("--runs", 3))
    let schemaFolder = options.string("--schemas", ERNBenchOptions.defaultSchemaFolder)
    let base = options.string("--dir", NSTemporaryDirectory() + "/ddexd-bundle-bench-\(getpid())")
    let package = base + "/package"
    let outbound = base + "/outbound"
    try FileManager.default.createDirectory(atPath: package + "/resources", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: base) }

    // The package: fileCount pseudo-random files of sizeMB MB, plus a small cover.
    print("Creating \(fileCount) × \(sizeMB) MB in \(package) …")
    var paths: [String] = []
    for i in 1...fileCount {
        let rel = String(format: "resources/%02d.flac", i)
        try writePseudoRandomFile(package + "/" + rel, bytes: sizeMB << 20, seed: UInt64(i))
        paths.append(rel)
    }
    try writePseudoRandomFile(package + "/resources/cover.jpg", bytes: 200_000, seed: 99)
    paths.append("resources/cover.jpg")
    _ = try shell("/usr/bin/sync", [])

    // Reference: md5sum then sha256sum over the same files (page cache warm for both sides after run 1).
    let absolute = paths.map { package + "/" + $0 }
    var referenceBest = Double.infinity
    var md5Output = ""
    var shaOutput = ""
    for _ in 0..<runs {
        let t0 = ERNBenchKit.monotonicSeconds()
        md5Output = try shell("/usr/bin/md5sum", absolute)
        shaOutput = try shell("/usr/bin/sha256sum", absolute)
        referenceBest = min(referenceBest, ERNBenchKit.monotonicSeconds() - t0)
    }
    let md5 = parseSums(md5Output)
    let sha = parseSums(shaOutput)
    var digests: [String: FileDigest] = [:]
    for (rel, abs) in zip(paths, absolute) {
        let size = (try FileManager.default.attributesOfItem(atPath: abs)[.size] as? NSNumber)?.uint64Value ?? 0
        digests[rel] = FileDigest(size: size, md5: md5[abs] ?? "", sha256: sha[abs] ?? "")
    }
    let validated = try SyntheticRelease.album(trackCount: fileCount, packageRoot: package, digests: digests)

    guard let sender = DPID("PADPIDA20990000010"), let recipient = DPID("PADPIDA2099000002Y") else { return }
    let profile = DSPProfile(name: "spotify", recipientDPID: recipient, recipientName: "Spotify",
                             commercialModels: ["SubscriptionModel", "AdvertisementSupportedModel"],
                             useTypes: ["OnDemandStream", "NonInteractiveStream"], hashAlgorithms: [.md5],
                             transport: TransportSettings(kind: .local, remoteRoot: "/tmp/none"))
    let schemas = ERNSchemaSet(settings: SchemaSettings(folder: schemaFolder))
    let c0 = ERNBenchKit.monotonicSeconds()
    _ = try schemas.schema(for: .ern43)
    _ = try schemas.choreography()
    let compile = ERNBenchKit.monotonicSeconds() - c0
    var builder = BundleBuilder(sender: SenderSettings(dpid: sender, name: "Example Distribution"), schemas: schemas)

    func best(copy: Bool) throws -> (Double, String) {
        builder.alwaysCopyResources = copy
        var bestTime = Double.infinity
        var placed = ""
        for _ in 0..<runs {
            let t0 = ERNBenchKit.monotonicSeconds()
            let result = builder.build(validated, for: profile, outboundRoot: outbound)
            let elapsed = ERNBenchKit.monotonicSeconds() - t0
            guard let bundle = result.bundle else { throw ERNBenchError("bundle failed: \(result.problems)") }
            bestTime = min(bestTime, elapsed)
            placed = "\(bundle.files.count) files, \(bundle.totalBytes >> 20) MB"
            try? FileManager.default.removeItem(atPath: bundle.folder)
            try? FileManager.default.removeItem(atPath: bundle.descriptionPath)
        }
        return (bestTime, placed)
    }
    let (linked, placed) = try best(copy: false)
    let (copied, _) = try best(copy: true)

    let total = Double(fileCount * sizeMB)
    print("Package: \(fileCount) × \(sizeMB) MB + cover (\(Int(total)) MB); \(placed) per bundle")
    print("  md5sum + sha256sum (reference):          \(ERNBenchKit.format(referenceBest, 4)) s  (best of \(runs))")
    print("  bundle, resources hard-linked (default): \(ERNBenchKit.format(linked, 4)) s  (best of \(runs); XSD compile \(ERNBenchKit.format(compile)) s once, not included)")
    print("  bundle, resources copied (other FS):     \(ERNBenchKit.format(copied, 4)) s  (best of \(runs), for information)")
    let ratio = linked / referenceBest
    print("  ratio bundle ÷ (md5sum + sha256sum) = \(ERNBenchKit.format(ratio, 4))  [target ≤ 0.6: \(ratio <= 0.6 ? "met" : "NOT met")]"
        + "; with copying: \(ERNBenchKit.format(copied / referenceBest, 4))")
}

/// Writes `bytes` of xorshift output (incompressible, no two files alike) in 1 MiB writes.
private func writePseudoRandomFile(_ path: String, bytes: Int, seed: UInt64) throws {
    guard let handle = FileHandle(forWritingAtPath: path) ?? {
        FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)
    }() else { throw ERNBenchError("cannot create \(path)") }
    defer { try? handle.close() }
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var chunk = [UInt64](repeating: 0, count: (1 << 20) / 8)
    var left = bytes
    while left > 0 {
        for i in chunk.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            chunk[i] = state
        }
        let n = min(left, 1 << 20)
        try chunk.withUnsafeBytes { try handle.write(contentsOf: Data($0.prefix(n))) }
        left -= n
    }
}

private func shell(_ tool: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw ERNBenchError("\(tool) failed") }
    return String(decoding: data, as: UTF8.self)
}

/// `<hex>  <path>` lines → path: hex.
private func parseSums(_ output: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in output.split(separator: "\n") {
        let parts = line.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { continue }
        out[String(parts[1].drop(while: { $0 == " " || $0 == "*" }))] = String(parts[0])
    }
    return out
}
