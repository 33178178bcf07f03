import Bundling
import DDEXConfig
import DDEXModel
import Delivery
import ERN
import Foundation
import Intake
import Logging
import Store
import TestSupport
import XCTest

/// A real pipeline for delivery tests: the album fixture validated, bundled for a DSP, queued in a store.
final class DeliveryFixture {
    let directory: TemporaryDirectory
    let database: StoreDatabase
    let store: DeliveryStore
    let packages: PackageStore
    var profile: DSPProfile
    let validated: ValidatedRelease

    var spool: String { directory.path + "/spool" }
    var dropBox: String { directory.path + "/dropbox" }

    static let sender = SenderSettings(dpid: DPID("PADPIDA2014122301Q")!, name: "Example Distribution")
    static let schemas = ERNSchemaSet(settings: SchemaSettings(folder: RepositoryPaths.xsd.path))

    /// With `trackBytes`, the release is a synthetic album whose track files are that many random bytes
    /// (for transfers big enough to interrupt); otherwise the album fixture, validated for real.
    init(choreography: Choreography = .batch, maxSessions: Int = 1, transport: TransportSettings? = nil, trackBytes: Int? = nil,
         retry: RetryPolicy = RetryPolicy(maxAttempts: 3, initialDelaySeconds: 60, maxDelaySeconds: 600)) throws
    {
        directory = try TemporaryDirectory(prefix: "delivery")
        try FileManager.default.createDirectory(atPath: directory.path + "/spool/state", withIntermediateDirectories: true)
        database = try StoreDatabase(path: directory.path + "/spool/state/ddexd.sqlite")
        store = DeliveryStore(database: database)
        packages = PackageStore(database: database)
        profile = DSPProfile(name: "spotify", recipientDPID: DPID("PADPIDA2011072101T")!, recipientName: "Spotify",
                             choreography: choreography,
                             transport: transport ?? TransportSettings(kind: .local, remoteRoot: directory.path + "/dropbox", maxSessions: maxSessions),
                             retry: retry)
        if let trackBytes {
            let root = directory.path + "/package"
            var digests: [String: FileDigest] = [:]
            for (i, path) in ["resources/01.flac", "resources/02.flac", "resources/cover.jpg"].enumerated() {
                let file = root + "/" + path
                try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try SSHTools.writeRandomFile(at: file, size: path.hasSuffix(".jpg") ? 50_000 : trackBytes, seed: UInt64(i + 1))
                digests[path] = try ReferenceTools.digest(file)
            }
            validated = try SyntheticRelease.album(trackCount: 2, packageRoot: root, digests: digests)
        } else {
            let report = PackageValidator(schemas: Self.schemas).validate(packageAt: RepositoryPaths.fixtures.appendingPathComponent("packages/album-flac"))
            guard let validated = report.validated else { throw FixtureError("fixture invalid: \(report.problems)") }
            self.validated = validated
        }
    }

    /// Builds a bundle for the profile and queues it for `packageId`.
    @discardableResult
    func queue(packageId: String = "pkg-1", batchClock: MessageTimestamp? = nil) throws -> (DeliveryBundle, DeliveryRecord) {
        if try packages.package(packageId) == nil {
            try packages.receive(id: packageId, account: "label", source: "inbound/label/album-flac", workPath: "work/\(packageId)", now: Timestamp.format())
        }
        let builder = batchClock.map { c in BundleBuilder(sender: Self.sender, schemas: Self.schemas, clock: { c }) }
            ?? BundleBuilder(sender: Self.sender, schemas: Self.schemas)
        let result = builder.build(validated, for: profile, outboundRoot: spool + "/outbound")
        guard let bundle = result.bundle else { throw FixtureError("bundle failed: \(result.problems)") }
        let record = try store.enqueue(NewDelivery(bundle: bundle, packageId: packageId), now: Timestamp.format())
        return (bundle, record)
    }

    func pass(transport: (@Sendable (DSPProfile) throws -> any DeliveryTransport)? = nil, now: @escaping @Sendable () -> Date = { Date() }) -> DeliveryPass {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return DeliveryPass(store: store, makeTransport: transport ?? { LocalFolderTransport(root: $0.transport.remoteRoot) },
                            logger: logger, now: now)
    }

    /// Every regular file under the drop box, relative, hidden ones included.
    func dropBoxFiles() -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dropBox) else { return [] }
        var out: [String] = []
        while let path = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dropBox + "/" + path, isDirectory: &isDir), !isDir.boolValue { out.append(path) }
        }
        return out.sorted()
    }
}

/// A failure in test set-up (not a skip: the test fails).
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A real transport that records the order of the operations it carries out (to check the choreography),
/// and can be told to fail after a number of bytes (to interrupt an upload the way a dropped connection does).
final class RecordingTransport: DeliveryTransport, @unchecked Sendable {
    let inner: LocalFolderTransport
    private let lock = NSLock()
    private(set) var operations: [String] = []
    /// Fail the next upload after writing this many bytes of it (once).
    var failUploadAfterBytes: Int?

    init(root: String) { inner = LocalFolderTransport(root: root) }

    private func record(_ s: String) { lock.lock(); operations.append(s); lock.unlock() }

    func connect() throws { try inner.connect() }
    func close() { inner.close() }
    func makeDirectories(_ path: String) throws { try inner.makeDirectories(path) }
    func fileSize(_ path: String) throws -> UInt64? { try inner.fileSize(path) }
    func list(_ directory: String) throws -> [RemoteEntry] { try inner.list(directory) }
    func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64) throws {
        try inner.download(remotePath, to: localPath, resumeFrom: offset)
    }
    func remove(_ path: String) throws { record("remove \(path)"); try inner.remove(path) }

    func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64) throws {
        record("upload \(remotePath) from \(offset)")
        if let limit = failUploadAfterBytes {
            failUploadAfterBytes = nil
            // Write a prefix of the file, as a connection lost mid-transfer leaves it, then fail.
            let data = try Data(contentsOf: URL(fileURLWithPath: localPath))
            let cut = min(data.count, Int(offset) + limit)
            let partial = localPath + ".cut"
            try data.prefix(cut).write(to: URL(fileURLWithPath: partial))
            defer { try? FileManager.default.removeItem(atPath: partial) }
            try inner.upload(partial, to: remotePath, resumeFrom: offset)
            throw TransportError(.connection, code: "SFTP_CONNECTION_LOST", message: "connection lost (test)")
        }
        try inner.upload(localPath, to: remotePath, resumeFrom: offset)
    }

    func rename(_ source: String, to destination: String) throws {
        record("rename \(destination)")
        try inner.rename(source, to: destination)
    }
}
