import Bundling
import DDEXConfig
import DDEXModel
import Delivery
import Foundation
import Intake
import Store

/// Builds the status files from the store (the single source of truth) and writes them.
public struct StatusPublisher: Sendable {
    public let writer: StatusWriter
    public let packages: any PackageRepository
    public let deliveries: any DeliveryRepository

    /// Publishes through `writer` what `packages` and `deliveries` hold; it reads, and never writes, the store.
    public init(writer: StatusWriter, packages: any PackageRepository, deliveries: any DeliveryRepository) {
        self.writer = writer
        self.packages = packages
        self.deliveries = deliveries
    }

    /// The status file of one package.
    public func packageStatus(_ id: String, configuration: Configuration) throws -> PackageStatus? {
        guard let record = try packages.package(id) else { return nil }
        var release: ReleaseSummary?
        var targets: [String] = []
        if let json = record.releaseJSON, let validated = try? JSONDecoder().decode(ValidatedRelease.self, from: Data(json.utf8)) {
            release = ReleaseSummary(release: validated.release, measured: validated.resources)
            let resolved = DeliveryTargets(release: validated.release, account: record.account, configuration: configuration)
            targets = resolved.profiles.map(\.name) + resolved.refused.map(\.dsp)
        }
        var dsps: [String: PackageStatus.DSPDeliveryStatus] = [:]
        // A package rejected because no DSP would take it says so per DSP, as its report does.
        if record.state == .built || record.state == .done || record.state == .rejected {
            for name in targets {
                let prefix = name + ": "
                dsps[name] = .init(state: "not-built", problems: record.problems.filter { $0.location.hasPrefix(prefix) })
            }
        }
        for d in try deliveries.deliveries(ofPackage: id) {
            let ack = d.ackStatus.map { PackageStatus.AckStatus(status: $0, text: d.ackText, receivedAt: d.ackAt ?? d.updatedAt, file: d.ackFile ?? "") }
            var problems: [Problem] = []
            if let code = d.lastErrorCode { problems.append(.error(ProblemCode(rawValue: code), at: d.remoteFolder, d.lastErrorMessage ?? "")) }
            if let profile = configuration.dsps[d.dsp], AckPoller.isOverdue(d, profile: profile) {
                problems.append(.warning("ACK_OVERDUE", at: d.remoteFolder,
                                         "no acknowledgement within \(profile.ackDeadlineHours) hours of the delivery; its folder is no longer polled (acknowledgements in the DSP's ack_folder still count)"))
            }
            dsps[d.dsp] = .init(state: d.state.rawValue, batchId: d.batchId, messageId: d.messageId, attempts: d.attempts,
                                nextAttemptAt: d.state == .retryWait ? d.nextAttemptAt.map { Timestamp.format(Date(timeIntervalSince1970: $0)) } : nil,
                                problems: problems, ack: ack)
        }
        let timeline = try packages.timeline(id).map { PackageStatus.TimelineEntry(at: $0.at, event: $0.event, dsp: $0.dsp, detail: $0.detail) }
        return PackageStatus(packageId: id, account: record.account, source: record.source, state: record.state.rawValue,
                             release: release, problems: record.problems.filter { p in !dsps.keys.contains { p.location.hasPrefix($0 + ": ") } },
                             timeline: timeline, dsps: dsps, updatedAt: record.updatedAt)
    }

    /// Writes the status file of each package in `ids`.
    public func publishPackages(_ ids: [String], configuration: Configuration) throws {
        for id in ids {
            if let status = try packageStatus(id, configuration: configuration) { try writer.write(status) }
        }
    }

    /// The daemon's own status from the store and what the runtime knows (start time, last errors).
    public func daemonStatus(base: DaemonStatus, configuration: Configuration, health: [String: DSPRuntimeHealth]) throws -> DaemonStatus {
        var status = base
        status.heartbeatAt = Timestamp.format()
        let counts = try packages.counts()
        status.packages.received = counts[.received] ?? 0
        status.packages.valid = counts[.valid] ?? 0
        status.packages.rejected = counts[.rejected] ?? 0
        status.packages.built = counts[.built] ?? 0
        status.packages.done = counts[.done] ?? 0
        let byDSP = try deliveries.counts()
        status.dsps = [:]
        for profile in configuration.dsps.values {
            let list = byDSP[profile.name] ?? [:]
            func count(_ states: DeliveryState...) -> Int { states.reduce(0) { $0 + (list[$1] ?? 0) } }
            let h = health[profile.name]
            status.dsps[profile.name] = .init(
                enabled: profile.enabled, lastSuccessAt: h?.lastSuccessAt, lastError: h?.lastError, blocked: h?.blocked,
                queueDepth: count(.queued, .retryWait), inFlight: count(.uploading, .uploaded),
                delivered: count(.completed), acknowledged: count(.acknowledged), rejectedByDSP: count(.rejectedByDSP), failed: count(.failed))
        }
        return status
    }
}

/// What the runtime remembers about a DSP between heartbeats.
public struct DSPRuntimeHealth: Sendable, Equatable {
    public var lastSuccessAt: String?
    public var lastError: StatusError?
    /// The permanent error that parks the DSP, while it does.
    public var blocked: StatusError?
    /// When a blocked DSP is tried again (its longest retry delay after the last try).
    public var retryBlockedAt: Date?

    public init(lastSuccessAt: String? = nil, lastError: StatusError? = nil, blocked: StatusError? = nil) {
        self.lastSuccessAt = lastSuccessAt
        self.lastError = lastError
        self.blocked = blocked
    }
}
