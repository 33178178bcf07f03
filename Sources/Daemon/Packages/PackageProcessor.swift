import Bundling
import DDEXConfig
import DDEXModel
import Delivery
import ERN
import Foundation
import Intake
import Ledger
import Logging
import Store

/// Drives one package through `PackageState`: validate (→ rejected folder with its report), build a
/// bundle for every target DSP and queue its delivery, and, once every delivery is over, archive it.
///
/// Each step reads the state from the store and is safe to run again after a crash: validation is
/// repeated from scratch, a DSP that already has a delivery is never bundled twice.
public struct PackageProcessor: Sendable {
    /// Records a valid release of an account in the accounting catalogue (`LedgerCatalog` on the store's engine).
    public typealias ReleaseCatalogue = LedgerCatalog.Recorder

    public let configuration: Configuration
    public let packages: any PackageRepository
    public let deliveries: any DeliveryRepository
    public let messageIds: any MessageIdRepository
    /// Records each valid release of an account in the accounting catalogue and splits (the ledger's tables), in
    /// the store's engine.
    public let catalogue: ReleaseCatalogue
    /// Compiled once per configuration: loading the ERN 4.3 schemas takes far longer than building a message.
    public let schemas: ERNSchemaSet
    public let logger: Logger

    /// A processor for the configuration in force; `schemas` shares compiled XSDs (compiled here when nil, which
    /// takes a noticeable fraction of a second).
    public init(configuration: Configuration, packages: any PackageRepository, deliveries: any DeliveryRepository,
                messageIds: any MessageIdRepository, catalogue: @escaping ReleaseCatalogue, schemas: ERNSchemaSet? = nil, logger: Logger)
    {
        self.configuration = configuration
        self.schemas = schemas ?? ERNSchemaSet(settings: configuration.schemas)
        self.packages = packages
        self.deliveries = deliveries
        self.messageIds = messageIds
        self.catalogue = catalogue
        self.logger = logger
    }

    /// Advances the package as far as it can go now; returns its state afterwards.
    @discardableResult
    public func advance(_ id: String) throws -> PackageState? {
        var log = logger
        log[metadataKey: "package"] = "\(id)"
        guard var record = try packages.package(id) else { return nil }
        if record.state == .received { record = try validate(record, log: log) }
        if record.state == .valid { record = try build(record, log: log) }
        if record.state == .built { record = try finishIfDone(record, log: log) }
        return record.state
    }

    // MARK: validation

    private func validate(_ record: PackageRecord, log: Logger) throws -> PackageRecord {
        let workFolder = URL(fileURLWithPath: record.workPath)
        let entries = try FileManager.default.contentsOfDirectory(atPath: record.workPath)
            .filter { !$0.hasPrefix(".") && $0 != WorkFolderSweep.unpackFolderName }
        guard let packageName = entries.first(where: { !$0.hasSuffix(PackageDiscovery.zipReadySuffix) }) else {
            // Nothing of the package is left to keep (an unpack folder from before a crash, a marker at most).
            try? FileManager.default.removeItem(atPath: record.workPath)
            return try packages.transition(record.id, .validationFailed, now: Timestamp.format(), problems: [
                .error("PACKAGE_NOT_FOUND", at: record.workPath, "the claimed package is missing from its work folder"),
            ])
        }
        let packageURL = workFolder.appendingPathComponent(packageName)
        var unpackFolder: URL?
        if packageURL.pathExtension.lowercased() == "zip" {
            let folder = workFolder.appendingPathComponent(WorkFolderSweep.unpackFolderName, isDirectory: true)
            try? FileManager.default.removeItem(at: folder)  // a half-unpacked zip from before a crash
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            unpackFolder = folder
        }
        let report = PackageValidator(settings: configuration.intake, schemas: schemas).validate(packageAt: packageURL, workFolder: unpackFolder)
        // The same judgement as `ddexd validate`: the package, then every DSP it goes to.
        let verdict = PackageVerdict.judge(report, account: record.account, configuration: configuration,
                                           builder: BundleBuilder(sender: configuration.sender, schemas: schemas))
        let json = try report.validated.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        guard let validated = report.validated, !verdict.deliverableDSPs.isEmpty else {
            // Nothing of a refused package stays in the work folder: the unpacked copy goes first.
            if let unpackFolder { try? FileManager.default.removeItem(at: unpackFolder) }
            let errors = verdict.problems.errors + verdict.problemsPerDSP().errors
            log.warning("package rejected", metadata: ["errors": "\(errors.count)", "first": "\(errors.first?.description ?? "")"])
            let destination = try reject(record, packageURL: packageURL, verdict: verdict)
            return try packages.transition(record.id, .validationFailed, now: Timestamp.format(), release: report.validated?.release,
                                           releaseJSON: json, problems: verdict.problems + verdict.problemsPerDSP(), workPath: destination,
                                           detail: report.valid ? "no DSP would take the release" : "\(errors.count) error(s)")
        }
        // The accounting catalogue and splits learn the release from its package (DSR lines match on ISRC).
        do {
            try catalogue(validated.release, record.account)
        } catch let error as StoreError where error.isRetryable {
            // A database away now would leave the release out of the catalogue for good: the step is redone later.
            throw error
        } catch {
            log.warning("the release could not be added to the accounting catalogue", metadata: ["error": "\(error)"])
        }
        log.info("package valid", metadata: ["release": "\(validated.release.primaryId)", "tracks": "\(validated.release.tracks.count)"])
        // DSPs the release names but cannot go to are recorded now; bundling records the others it refuses.
        let refused = Set(DeliveryTargets(release: validated.release, account: record.account, configuration: configuration).refused.map(\.dsp))
        return try packages.transition(record.id, .validationPassed, now: Timestamp.format(), release: validated.release,
                                       releaseJSON: json, problems: report.problems + verdict.problemsPerDSP(of: refused))
    }

    /// Moves the package, whole and untouched, to `rejected/<account>/` (the folder, or the zip and its
    /// marker), with its report beside it as `<name>.report.json` (what `ddexd validate --format json` prints),
    /// then removes its work folder.
    private func reject(_ record: PackageRecord, packageURL: URL, verdict: PackageVerdict) throws -> String {
        let folder = configuration.spool.rejected + "/" + record.account
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var name = packageURL.deletingPathExtension().lastPathComponent
        if packageURL.pathExtension.lowercased() != "zip" { name = packageURL.lastPathComponent }
        // A name rejected before keeps its old report: the new one gets the package id appended.
        let taken = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        if taken.contains(where: { $0 == name || $0.hasPrefix(name + ".") }) { name += "-" + record.id }
        var destination = folder + "/" + name
        for entry in try FileManager.default.contentsOfDirectory(atPath: record.workPath) where entry != WorkFolderSweep.unpackFolderName {
            let target: String
            if entry == packageURL.lastPathComponent {
                target = packageURL.pathExtension.lowercased() == "zip" ? destination + ".zip" : destination
            } else if entry.hasSuffix(PackageDiscovery.zipReadySuffix) {
                target = destination + ".zip" + PackageDiscovery.zipReadySuffix
            } else {
                continue
            }
            try PackageClaimer.rename(record.workPath + "/" + entry, to: target)
        }
        if packageURL.pathExtension.lowercased() == "zip" { destination += ".zip" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(verdict), to: folder + "/" + name + ".report.json")
        try? FileManager.default.removeItem(atPath: record.workPath)
        return destination
    }

    // MARK: bundling

    /// The DSP profiles a release goes to (`DeliveryTargets`).
    public func targets(for release: Release, account: String) -> [DSPProfile] {
        DeliveryTargets(release: release, account: account, configuration: configuration).profiles
    }

    private func build(_ record: PackageRecord, log: Logger) throws -> PackageRecord {
        guard let json = record.releaseJSON, let validated = try? JSONDecoder().decode(ValidatedRelease.self, from: Data(json.utf8)) else {
            throw PackageMoveError(code: "PACKAGE_STATE_CORRUPT", description: "package \(record.id) is valid but its release is not stored")
        }
        let existing = Set(try deliveries.deliveries(ofPackage: record.id).map(\.dsp))
        let builder = BundleBuilder(sender: configuration.sender, schemas: schemas,
                                    messageIds: PersistedMessageIds(store: messageIds), batchIds: PersistedBatchIds(store: messageIds))
        var problems = record.problems
        var built: [String] = []
        for profile in targets(for: validated.release, account: record.account) where !existing.contains(profile.name) {
            let result = builder.build(validated, for: profile, outboundRoot: configuration.spool.outbound)
            guard let bundle = result.bundle else {
                problems += result.problems.map { Problem($0.code, $0.severity, at: "\(profile.name): \($0.location)", $0.message) }
                try packages.record(record.id, PackageEvent(at: Timestamp.format(), event: "not-built", dsp: profile.name,
                                                            detail: result.problems.errors.first?.description))
                log.warning("no bundle for this DSP", metadata: ["dsp": "\(profile.name)", "problem": "\(result.problems.errors.first?.description ?? "")"])
                continue
            }
            try deliveries.enqueue(NewDelivery(bundle: bundle, packageId: record.id), now: Timestamp.format())
            try packages.record(record.id, PackageEvent(at: Timestamp.format(), event: "queued", dsp: profile.name, detail: bundle.folderName))
            built.append(profile.name)
        }
        log.info("bundles built", metadata: ["dsps": "\(built.joined(separator: ","))"])
        return try packages.transition(record.id, .bundlesBuilt, now: Timestamp.format(), problems: problems,
                                       detail: built.isEmpty ? "no DSP could take the release" : built.joined(separator: ", "))
    }

    // MARK: completion

    private func finishIfDone(_ record: PackageRecord, log: Logger) throws -> PackageRecord {
        let all = try deliveries.deliveries(ofPackage: record.id)
        guard all.allSatisfy(\.state.isTerminal) else { return record }
        var workPath = record.workPath
        if FileManager.default.fileExists(atPath: record.workPath) {
            let archive = configuration.spool.archive + "/packages/" + record.id
            try FileManager.default.createDirectory(atPath: configuration.spool.archive + "/packages", withIntermediateDirectories: true)
            try PackageClaimer.rename(record.workPath, to: archive)
            workPath = archive
        }
        log.notice("package done", metadata: ["deliveries": "\(all.map { "\($0.dsp)=\($0.state.rawValue)" }.joined(separator: ","))"])
        return try packages.transition(record.id, .deliveriesFinished, now: Timestamp.format(), workPath: workPath)
    }
}

/// BatchIds claimed in the store before a bundle is built with them, so that instances sharing a spool never
/// build two bundles under one name. They go in the MessageIds' table under the sender `batch:<dsp>` (no DPID
/// starts so): a table of identifiers issued once.
public struct PersistedBatchIds: BatchIdClaiming {
    public let store: any MessageIdRepository

    public init(store: any MessageIdRepository) { self.store = store }

    public func claim(dsp: String, batchId: String) throws -> Bool {
        try store.claim(sender: "batch:" + dsp, messageId: batchId, now: Timestamp.format())
    }
}

/// MessageIds that are recorded before use, so none is ever issued twice, even across restarts.
public struct PersistedMessageIds: MessageIdProvider {
    public let store: any MessageIdRepository
    private let base = TimeRandomMessageIdProvider()

    /// MessageIds made by `TimeRandomMessageIdProvider` and claimed in `store` before use.
    public init(store: any MessageIdRepository) { self.store = store }

    /// A MessageId never issued before for `sender`: candidates are drawn until the store accepts one. Throws the
    /// store's error (nothing is issued then). Blocking: it writes to the store.
    public func nextMessageId(sender: DPID, at time: MessageTimestamp) throws -> String {
        while true {
            let id = try base.nextMessageId(sender: sender, at: time)
            if try store.claim(sender: sender.value, messageId: id, now: Timestamp.format()) { return id }
        }
    }
}
