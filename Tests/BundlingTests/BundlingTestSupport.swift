import Bundling
import DDEXConfig
import DDEXModel
import ERN
import Foundation
import TestSupport
import XCTest

/// A package folder with small real resource files, its `ValidatedRelease`, and DSP profiles.
struct TestPackage {
    let directory: TemporaryDirectory
    var validated: ValidatedRelease
    var root: String { directory.path + "/package" }
    var spool: String { directory.path + "/spool" }
    var outbound: String { spool + "/outbound" }

    /// `trackCount` tracks of a few KiB of distinct bytes each and a cover; digests from md5sum/sha256sum.
    init(trackCount: Int = 3, takedown: Bool = false, deals: [Deal]? = nil, extraFiles: [String] = []) throws {
        directory = try TemporaryDirectory(prefix: "bundling")
        let root = directory.path + "/package"
        var digests: [String: FileDigest] = [:]
        var paths = (1...trackCount).map { $0 < 10 ? "resources/0\($0).flac" : "resources/\($0).flac" } + ["resources/cover.jpg"]
        paths += extraFiles
        for (i, path) in paths.enumerated() {
            var bytes = [UInt8](repeating: 0, count: 4096 + i * 100)
            for j in bytes.indices { bytes[j] = UInt8(truncatingIfNeeded: j &* 31 &+ i &* 7) }
            let url = try directory.write(Data(bytes), to: "package/" + path)
            digests[path] = try Shell.digest(url.path)
        }
        validated = try SyntheticRelease.album(trackCount: trackCount, packageRoot: root, digests: digests, deals: deals,
                                               takedown: takedown)
    }

    func builder(clock: MessageTimestamp? = nil) -> BundleBuilder {
        if let clock {
            return BundleBuilder(sender: Profiles.sender, schemas: Profiles.schemas, clock: { clock })
        }
        return BundleBuilder(sender: Profiles.sender, schemas: Profiles.schemas)
    }

    /// Every entry under `outbound/<dsp>`, hidden ones included.
    func entries(_ dsp: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: outbound + "/" + dsp)) ?? []).sorted()
    }
}

enum Profiles {
    static let sender = SenderSettings(dpid: dpid("PADPIDA20990000010"), name: "Example Distribution")
    static let schemas = ERNSchemaSet(settings: SchemaSettings(folder: RepositoryPaths.xsd.path))

    static func dpid(_ s: String) -> DPID {
        guard let d = DPID(s) else { fatalError("bad test DPID \(s)") }
        return d
    }

    static func territory(_ s: String) -> Territory {
        guard let t = Territory(s) else { fatalError("bad test territory \(s)") }
        return t
    }

    static func spotify() -> DSPProfile {
        DSPProfile(name: "spotify", recipientDPID: dpid("PADPIDA2099000002Y"), recipientName: "Spotify",
                   ernVersion: .ern43, choreography: .batch,
                   commercialModels: ["SubscriptionModel", "AdvertisementSupportedModel"],
                   useTypes: ["OnDemandStream", "NonInteractiveStream"], hashAlgorithms: [.md5],
                   coverMinPixels: 640, audioFormats: [.flac, .pcm], wavRequirePCMFormatTag: true,
                   takedownStyle: .removeDeals, transport: TransportSettings(kind: .local, remoteRoot: "/tmp/none"))
    }

    static func audius() -> DSPProfile {
        DSPProfile(name: "audius", recipientDPID: dpid("PADPIDA2011111602K"), recipientName: "Audius",
                   ernVersion: .ern382, choreography: .releaseByRelease, priorityPrefix: .priority,
                   territories: TerritorySet(included: [territory("GB"), territory("FR")]), hashAlgorithms: [.md5],
                   resourceNaming: .isrc, takedownStyle: .purgeRelease,
                   transport: TransportSettings(kind: .local, remoteRoot: "/tmp/none"))
    }

    static func labelcamp() -> DSPProfile {
        DSPProfile(name: "labelcamp", recipientDPID: dpid("PADPIDA2011111602K"), recipientName: "Labelcamp",
                   ernVersion: .ern43, choreography: .batch, priorityPrefix: .priority, hashAlgorithms: [.sha256],
                   coverMinPixels: 3000, coverMaxPixels: 4500, coverFormats: [.jpeg], coverMustBeSquare: true,
                   transport: TransportSettings(kind: .local, remoteRoot: "/tmp/none"))
    }
}

enum Shell {
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Size, MD5 and SHA-256 from coreutils: an oracle independent of ddexd's own hashing.
    static func digest(_ path: String) throws -> FileDigest {
        let md5 = try run("/usr/bin/md5sum", [path]).prefix(32)
        let sha = try run("/usr/bin/sha256sum", [path]).prefix(64)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber
        return FileDigest(size: size?.uint64Value ?? 0, md5: String(md5), sha256: String(sha))
    }

    /// xmllint's complaints about `path` against `schema` (empty when valid).
    static func xmllint(_ path: String, schema: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        process.arguments = ["--noout", "--nonet", "--schema", schema, path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? "" : String(decoding: data, as: UTF8.self)
    }

    static func xsd(_ relative: String) -> String { RepositoryPaths.xsd.appendingPathComponent(relative).path }
}
