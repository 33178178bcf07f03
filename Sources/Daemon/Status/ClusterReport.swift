import DDEXModel
import Foundation
import Store

/// What `ddexd status --cluster` says, read from the store every instance shares: the instances with their
/// heartbeat, the work each holds, each DSP's queue, and the deliveries that failed.
public struct ClusterReport: Codable, Sendable, Equatable {
    public struct Instance: Codable, Sendable, Equatable {
        public var id: String
        public var host: String
        public var pid: Int64
        public var version: String
        public var startedAt: String
        /// Seconds since its last heartbeat.
        public var heartbeatAgeSeconds: Double
        /// `alive` (its instance lease holds), `stopped` (it gave its leases back) or `dead` (its lease expired: its
        /// work is taken over).
        public var state: String
        /// The units of work it holds, by name.
        public var leases: [String]
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var delivery: Int64
        public var packageId: String
        public var dsp: String
        public var code: String
        public var message: String
    }

    public var store: String
    public var instances: [Instance]
    /// Deliveries per DSP and state.
    public var queues: [String: [String: Int]]
    public var failures: [Failure]

    /// Reads the report from `repositories` at `now` (Unix seconds; by default the store's clock, which the
    /// instances' lease and heartbeat times follow, or this host's on SQLite).
    public init(repositories: StoreRepositories, now: Double? = nil) throws {
        let now = try now ?? repositories.cluster.storeTime() ?? Date().timeIntervalSince1970
        store = repositories.engine
        let leases = try repositories.cluster.leases()
        let held = Dictionary(grouping: leases.filter { !$0.isExpired(at: now) }, by: \.holder)
        instances = try repositories.cluster.instances().map { record in
            let alive = held[record.id]?.contains { $0.resource == "instance:" + record.id } ?? false
            return Instance(id: record.id, host: record.host, pid: record.pid, version: record.version,
                            startedAt: record.startedAt, heartbeatAgeSeconds: max(0, (now - record.heartbeatAt).rounded()),
                            state: alive ? "alive" : record.stoppedAt != nil ? "stopped" : "dead",
                            leases: (held[record.id] ?? []).map(\.resource).sorted())
        }
        queues = try repositories.deliveries.counts().mapValues { counts in
            Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
        }
        failures = try repositories.deliveries.deliveries(states: [.failed]).map { delivery in
            Failure(delivery: delivery.id, packageId: delivery.packageId, dsp: delivery.dsp,
                    code: delivery.lastErrorCode ?? "DELIVERY_FAILED", message: delivery.lastErrorMessage ?? "")
        }
    }

    /// The report as text for a terminal.
    public func render() -> String {
        var lines = ["store: \(store)", "instances:"]
        if instances.isEmpty { lines.append("  none has run on this store") }
        for instance in instances {
            let work = instance.leases.filter { !$0.hasPrefix("instance:") }
            lines.append("  \(instance.id)  \(instance.state)  heartbeat \(Int(instance.heartbeatAgeSeconds)) s ago  "
                + "pid \(instance.pid)  version \(instance.version)  holds \(work.count)"
                + (work.isEmpty ? "" : ": " + work.prefix(8).joined(separator: ", ") + (work.count > 8 ? ", …" : "")))
        }
        lines.append("queues:")
        if queues.isEmpty { lines.append("  no delivery yet") }
        for dsp in queues.keys.sorted() {
            let counts = queues[dsp] ?? [:]
            lines.append("  \(dsp): " + counts.keys.sorted().map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", "))
        }
        if !failures.isEmpty {
            lines.append("failures:")
            for failure in failures {
                lines.append("  delivery \(failure.delivery) (\(failure.dsp), package \(failure.packageId)): \(failure.code): \(failure.message)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
