import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Harness
import XMLSupport
#if canImport(Glibc)
import Glibc
#endif

/// `ddexd-bench ern [--tracks 20] [--seconds 3] [--xsd-seconds 3] [--schemas DIR] [--version 4.3|3.8.2]`
///
/// Measures, on one thread, ERN NewReleaseMessages per second for a synthetic album (default 20 tracks):
///
/// 1. **built and serialised, no XSD**: `ERNMessageBuilder` (references, deals cut to the DSP, hash
///    choice) + `ERNSemanticChecker` + `ERNWriter` into a reused in-memory buffer. Target ≥ 5,000/s.
/// 2. **XSD-gated**: the same, plus in-process validation of every message against the official XSD
///    (`XSDSchema.validate(data:)`), as the bundler does before publishing.
///
/// Rates are given per wall-clock second and per CPU second of this thread (`CLOCK_THREAD_CPUTIME_ID`): on a
/// shared machine the CPU figure is the one-core rate; the wall figure includes time other processes took.
func runERNBenchmark(arguments: [String]) throws {
    let options = ERNBenchOptions(arguments)
    let tracks = options.int("--tracks", 20)
    let seconds = options.double("--seconds", 3)
    let xsdSeconds = options.double("--xsd-seconds", 3)
    let version = ERNVersion(rawValue: options.string("--version", "4.3")) ?? .ern43
    let schemaFolder = options.string("--schemas", ERNBenchOptions.defaultSchemaFolder)

    let album = try SyntheticRelease.album(trackCount: tracks)
    guard let sender = DPID("PADPIDA20990000010"), let recipient = DPID("PADPIDA2099000002Y") else { return }
    let settings = SenderSettings(dpid: sender, name: "Example Distribution")
    let profile = DSPProfile(name: "spotify", recipientDPID: recipient, recipientName: "Spotify", ernVersion: version,
                             commercialModels: ["SubscriptionModel", "AdvertisementSupportedModel"],
                             useTypes: ["OnDemandStream", "NonInteractiveStream"], hashAlgorithms: [.md5],
                             transport: TransportSettings(kind: .local, remoteRoot: "/tmp/none"))
    let ernWriter = ERNWriter(version: version, indentWidth: 0)
    let buffer = XMLStreamWriter(indentWidth: 0, initialCapacity: 256 * 1024)
    let start = MessageTimestamp.now()

    /// One message: build, check, serialise. Returns the byte count.
    func one(_ n: Int) throws -> Int {
        let context = ERNBuildContext(sender: settings, profile: profile, messageId: "BENCH-\(n)", createdAt: start)
        let (built, problems) = ERNMessageBuilder.message(for: album, context: context)
        guard let message = built, !problems.hasErrors else { throw ERNBenchError("build failed: \(problems)") }
        if case .newRelease(let m) = message, ERNSemanticChecker.check(m).hasErrors { throw ERNBenchError("semantic check failed") }
        buffer.reset()
        ernWriter.write(message, to: buffer)
        try buffer.finish()
        return buffer.byteCount
    }

    // Warm-up.
    var size = 0
    for i in 0..<200 { size = try one(i) }
    print("ERN \(version.rawValue) NewReleaseMessage, \(tracks) tracks + cover, \(size) bytes each (no indentation)")

    var (count, wall, cpu) = try ERNBenchKit.measure(seconds: seconds) { n in _ = try one(n) }
    ERNBenchKit.report("built + checked + serialised to memory (no XSD)", count: count, wall: wall, cpu: cpu, target: 5000)

    let schema = try XSDSchema(path: version == .ern43 ? schemaFolder + "/ern43/release-notification.xsd"
                                                      : schemaFolder + "/ern382/release-notification.xsd")
    (count, wall, cpu) = try ERNBenchKit.measure(seconds: xsdSeconds) { n in
        _ = try one(n)
        let issues = schema.validate(data: buffer.bytes, name: "bench.xml")
        guard issues.isEmpty else { throw ERNBenchError("XSD: \(issues.prefix(3))") }
    }
    ERNBenchKit.report("built + checked + serialised + XSD-validated in process", count: count, wall: wall, cpu: cpu, target: nil)
}

/// Timing helpers shared by the ERN and bundle benchmarks (namespaced: the bench target is one module).
enum ERNBenchKit {
    /// Runs `body` repeatedly for about `seconds`; returns iterations, wall seconds and thread CPU seconds.
    static func measure(seconds: Double, _ body: (Int) throws -> Void) throws -> (Int, Double, Double) {
        let wall0 = monotonicSeconds()
        let cpu0 = threadCPUSeconds()
        var n = 0
        while true {
            for _ in 0..<50 {
                try body(n)
                n += 1
            }
            if monotonicSeconds() - wall0 >= seconds { break }
        }
        return (n, monotonicSeconds() - wall0, threadCPUSeconds() - cpu0)
    }

    static func report(_ what: String, count: Int, wall: Double, cpu: Double, target: Double?) {
        let perWall = Double(count) / wall
        let perCPU = Double(count) / max(cpu, 1e-9)
        var line = "  \(what): \(count) messages in \(format(wall)) s wall / \(format(cpu)) s CPU → "
            + "\(Int(perWall)) msg/s wall, \(Int(perCPU)) msg/s per CPU-second"
        if let target { line += perCPU >= target ? "  [target ≥ \(Int(target))/s: met]" : "  [target ≥ \(Int(target))/s: NOT met]" }
        print(line)
    }

    static func format(_ v: Double, _ decimals: Int = 3) -> String { String(format: "%.\(decimals)f", v) }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

}

struct ERNBenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// `--name value` options (pairs scanned linearly: a handful of options).
struct ERNBenchOptions {
    let pairs: [(String, String)]

    init(_ arguments: [String]) {
        var pairs: [(String, String)] = []
        var rest = arguments[...]
        while let first = rest.first {
            rest = rest.dropFirst()
            if first.hasPrefix("--"), let value = rest.first {
                pairs.append((first, value))
                rest = rest.dropFirst()
            }
        }
        self.pairs = pairs
    }

    private func value(_ k: String) -> String? { pairs.last { $0.0 == k }?.1 }

    func string(_ k: String, _ d: String) -> String { value(k) ?? d }
    func int(_ k: String, _ d: Int) -> Int { value(k).flatMap { Int($0) } ?? d }
    func double(_ k: String, _ d: Double) -> Double { value(k).flatMap { Double($0) } ?? d }

    /// The schemas that ship with ddexd, `Config/ddex-xsd` in the repository this tool was built from.
    static var defaultSchemaFolder: String { repositoryRoot + "/Config/" + SchemaSettings.shippedFolderName }
}
