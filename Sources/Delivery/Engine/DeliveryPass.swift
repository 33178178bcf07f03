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
        /// Deliveries that ended this pass with an error (retrying or failed), with the error.
        public var deliveryErrors: [DeliveryIssue] = []
        /// The DSP could not be reached at all (no transport, or connecting failed); nothing was claimed.
        public var dspError: DSPIssue?
        /// A connection to the DSP was made in this pass.
        public var reached = false

        public init() {}

        mutating func merge(_ other: Summary) {
            completed += other.completed
            retrying += other.retrying
            failed += other.failed
            deliveryErrors += other.deliveryErrors
            dspError = dspError ?? other.dspError
            reached = reached || other.reached
        }

        /// True when something failed or waits for a retry.
        public var hasProblems: Bool { !failed.isEmpty || !retrying.isEmpty || dspError != nil }
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
        // Nothing due, no connection: an idle DSP costs a query, not a login.
        guard (try? store.due(dsp: profile.name, now: now().timeIntervalSince1970, limit: 1).isEmpty) == false else { return summary }
        let transport: any DeliveryTransport
        do {
            // Connect before claiming anything: a DSP that cannot be reached keeps its deliveries queued.
            transport = try makeTransport(profile)
            try transport.connect()
        } catch {
            let issue = DSPIssue(error)
            summary.dspError = issue
            // A blocked DSP is logged once per change by whoever parks it, not on every try.
            log.log(level: issue.blocked ? .debug : .error, "cannot reach the DSP", metadata: ["error": "\(error)"])
            return summary
        }
        defer { transport.close() }
        summary.reached = true
        let runner = DeliveryRunner(store: store, transport: transport, profile: profile, logger: log, now: now)
        var tried: Set<Int64> = []
        while !shouldStop() {
            let due: [DeliveryRecord]
            do {
                due = try store.due(dsp: profile.name, now: now().timeIntervalSince1970, limit: 16).filter { !tried.contains($0.id) }
            } catch {
                summary.dspError = DSPIssue(error)
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
                    if let code = result.lastErrorCode {
                        summary.deliveryErrors.append(DeliveryIssue(id: result.id, code: code, message: result.lastErrorMessage ?? ""))
                    }
                    if let blocked = runner.blockedBy {
                        summary.dspError = DSPIssue(blocked)
                        return summary
                    }
                    break
                } catch {
                    summary.deliveryErrors.append(DeliveryIssue(id: candidate.id, error: error))
                }
            }
            if !ranOne { return summary }
        }
        return summary
    }
}

/// An error that ended one delivery's attempt.
public struct DeliveryIssue: Sendable, Codable, Equatable {
    public var id: Int64
    public var code: String
    public var message: String

    public init(id: Int64, code: String, message: String) {
        self.id = id
        self.code = code
        self.message = message
    }

    init(id: Int64, error: any Error) {
        let coded = error as? any CodedError
        self.init(id: id, code: coded?.code ?? "DELIVERY_FAILED", message: coded?.description ?? "\(error)")
    }
}

/// An error about a DSP as a whole. `blocked` when it needs a person (host key, credentials, configuration):
/// the DSP is parked until that changes, tried again only at its longest retry delay.
public struct DSPIssue: Sendable, Codable, Equatable {
    public var code: String
    public var message: String
    public var blocked: Bool

    public init(code: String, message: String, blocked: Bool) {
        self.code = code
        self.message = message
        self.blocked = blocked
    }

    public init(_ error: any Error) {
        let coded = error as? any CodedError
        self.init(code: coded?.code ?? "TRANSPORT_UNAVAILABLE", message: coded?.description ?? "\(error)",
                  blocked: (error as? TransportError)?.kind.blocksDSP ?? false)
    }
}

