import DDEXConfig
import DDEXModel
import Foundation
import Logging
import Store

/// Makes a transport connection for a DSP profile.
public typealias MakeTransport = @Sendable (DSPProfile) throws -> any DeliveryTransport

/// One pass over the queue: for each DSP, up to `max_sessions` workers (each with its own connection)
/// take due deliveries one at a time until none is left. `ddexd deliver` runs one pass; the daemon runs
/// passes whenever work arrives or a retry falls due.
public struct DeliveryPass: Sendable {
    public let store: DeliveryStore
    public let makeTransport: MakeTransport
    public let logger: Logger
    public let now: @Sendable () -> Date
    /// Asked before each delivery is claimed: a stopping daemon finishes the transfers under way and
    /// starts no new one.
    public let shouldStop: @Sendable () -> Bool

    public init(store: DeliveryStore, makeTransport: @escaping MakeTransport, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }, shouldStop: @escaping @Sendable () -> Bool = { false })
    {
        self.store = store
        self.makeTransport = makeTransport
        self.logger = logger
        self.now = now
        self.shouldStop = shouldStop
    }

    /// What one pass did, per DSP.
    public struct Summary: Sendable, Codable, Equatable {
        public var completed: [Int64] = []
        public var retrying: [Int64] = []
        public var failed: [Int64] = []
        public var errors: [String: String] = [:]

        public init() {}

        mutating func merge(_ other: Summary) {
            completed += other.completed
            retrying += other.retrying
            failed += other.failed
            errors.merge(other.errors) { a, _ in a }
        }
    }

    /// Deliveries left in `uploading`/`uploaded` by a process that died: they go to retry-wait, due now.
    /// Call once at start-up while holding the spool lock, before any worker runs.
    public func recoverInterrupted() throws -> [Int64] {
        let interrupted = try store.deliveries(states: [.uploading, .uploaded])
        for d in interrupted {
            try store.transition(d.id, .retryableFailure, now: Timestamp.format(now()),
                                 changes: DeliveryChanges(nextAttemptAt: .some(now().timeIntervalSince1970),
                                                          lastError: .some((code: "DELIVERY_INTERRUPTED", message: "ddexd stopped during the upload; resuming"))))
        }
        return interrupted.map(\.id)
    }

    /// Runs the pass for `profiles` (blocking the calling thread; transfers run on worker threads).
    public func run(profiles: [DSPProfile]) -> [String: Summary] {
        let work = profiles.flatMap { profile in (0..<max(1, profile.transport.maxSessions)).map { (profile, $0) } }
        let results = LockedBox<[String: Summary]>([:])
        DispatchQueue.concurrentPerform(iterations: work.count) { index in
            let (profile, worker) = work[index]
            let summary = runWorker(profile: profile, worker: worker)
            results.withValue { $0[profile.name, default: Summary()].merge(summary) }
        }
        return results.withValue { $0 }
    }

    private func runWorker(profile: DSPProfile, worker: Int) -> Summary {
        var summary = Summary()
        var log = logger
        log[metadataKey: "dsp"] = "\(profile.name)"
        log[metadataKey: "worker"] = "\(worker)"
        let transport: any DeliveryTransport
        do {
            transport = try makeTransport(profile)
        } catch {
            summary.errors[profile.name] = "\(error)"
            log.error("cannot make a transport", metadata: ["error": "\(error)"])
            return summary
        }
        defer { transport.close() }
        let runner = DeliveryRunner(store: store, transport: transport, profile: profile, logger: log, now: now)
        var tried: Set<Int64> = []
        while !shouldStop() {
            let due: [DeliveryRecord]
            do {
                due = try store.due(dsp: profile.name, now: now().timeIntervalSince1970, limit: 16).filter { !tried.contains($0.id) }
            } catch {
                summary.errors[profile.name] = "\(error)"
                return summary
            }
            guard !due.isEmpty else { return summary }
            var ranOne = false
            for candidate in due where !shouldStop() {
                tried.insert(candidate.id)
                do {
                    guard let result = try runner.claimAndRun(candidate.id) else { continue }
                    ranOne = true
                    switch result.state {
                    case .completed: summary.completed.append(result.id)
                    case .retryWait: summary.retrying.append(result.id)
                    default: summary.failed.append(result.id)
                    }
                    if let code = result.lastErrorCode { summary.errors["\(result.id)"] = "\(code): \(result.lastErrorMessage ?? "")" }
                    break
                } catch {
                    summary.errors["\(candidate.id)"] = "\(error)"
                }
            }
            if !ranOne { return summary }
        }
        return summary
    }
}
