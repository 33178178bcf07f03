import DDEXConfig
import DDEXModel
import DDEXRuntime
import Foundation
import Logging
import Store

/// Makes a transport connection for a DSP profile.
public typealias MakeTransport = @Sendable (DSPProfile) throws -> any DeliveryTransport

/// One pass over the queue, for `ddexd deliver` and tests: every DSP's worker drains its due deliveries, all
/// DSPs at once and independently. The daemon keeps the workers running instead (`DeliveryService`).
public struct DeliveryPass: Sendable {
    public let store: any DeliveryRepository
    public let makeTransport: MakeTransport
    public let logger: Logger
    public let now: @Sendable () -> Date
    /// Asked before each delivery is claimed: a stopping process finishes the transfers under way and starts
    /// no new one.
    public let shouldStop: @Sendable () -> Bool
    /// The caller's leases when the store is shared with other instances (PostgreSQL): each worker then takes a
    /// delivery's lease before claiming it and shares the DSP's session slots; nil under the spool lock.
    public let leases: LeaseKeeper?

    /// A pass over the deliveries in `store`, with transports from `makeTransport`; `shouldStop` is asked before each
    /// delivery is claimed; with `leases` it works as one instance of a cluster.
    public init(store: any DeliveryRepository, makeTransport: @escaping MakeTransport, logger: Logger, leases: LeaseKeeper? = nil,
                now: @escaping @Sendable () -> Date = { Date() }, shouldStop: @escaping @Sendable () -> Bool = { false })
    {
        self.store = store
        self.leases = leases
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
        /// Deliveries were due, but other instances of the cluster hold every session slot of the DSP.
        public var sessionsBusyElsewhere = false

        public init() {}

        /// True when something failed or waits for a retry.
        public var hasProblems: Bool { !failed.isEmpty || !retrying.isEmpty || dspError != nil }
    }

    /// Deliveries left in `uploading`/`uploaded` by a process that died: they go to retry-wait, due now. Call
    /// once at start-up before any worker runs. With `leases` (a daemon, maybe one of several on the store) only
    /// those no live instance holds are sent back; without, the caller holds the spool lock and they all are.
    public func recoverInterrupted(leases: LeaseKeeper? = nil) throws -> [Int64] {
        try Self.requeueInterrupted(store.deliveries(states: [.uploading, .uploaded]), store: store, leases: leases, now: now())
    }

    /// Sends `interrupted` deliveries to retry-wait, due at `now`; in a cluster only those whose lease this
    /// instance can take (nobody holds it: its holder died), giving the lease back right after.
    static func requeueInterrupted(_ interrupted: [DeliveryRecord], store: any DeliveryRepository, leases: LeaseKeeper?,
                                   now: Date) throws -> [Int64]
    {
        var requeued: [Int64] = []
        for delivery in interrupted {
            let resource = DSPDeliveryWorker.resource(delivery: delivery.id)
            if let leases, try !leases.acquireUnheld(resource) { continue }
            defer { leases?.releaseQuietly(resource) }
            do {
                try store.transition(delivery.id, .retryableFailure, now: Timestamp.format(now),
                                     changes: DeliveryChanges(nextAttemptAt: .some(now.timeIntervalSince1970),
                                                              lastError: .some((code: "DELIVERY_INTERRUPTED", message: "ddexd stopped during the upload; resuming"))))
                requeued.append(delivery.id)
            } catch is InvalidTransition {
                continue // it moved on meanwhile
            }
        }
        return requeued
    }

    /// Runs the pass for `profiles`, every DSP at once, on a blocking pool sized to their sessions.
    public func run(profiles: [DSPProfile]) async -> [String: Summary] {
        let pool = BlockingPool(name: "ddexd-deliver", threads: profiles.reduce(1) { $0 + 2 * max(1, $1.transport.maxSessions) })
        defer { pool.shutdown() }
        return await withTaskGroup(of: (String, Summary).self) { group in
            for profile in profiles {
                let worker = DSPDeliveryWorker(profile: profile, store: store, makeTransport: makeTransport, pool: pool,
                                               logger: logger, leases: leases, now: now)
                group.addTask {
                    let summary = await worker.drain(stopClaiming: shouldStop)
                    await worker.close()
                    return (profile.name, summary)
                }
            }
            var out: [String: Summary] = [:]
            for await (name, summary) in group { out[name] = summary }
            return out
        }
    }

    /// `run(profiles:)` for synchronous callers (the `deliver` command, tests): blocks the calling thread,
    /// which must not be one of Swift's cooperative threads.
    public func run(profiles: [DSPProfile]) -> [String: Summary] {
        let result = Locked<[String: Summary]>([:])
        let done = DispatchSemaphore(value: 0)
        Task {
            let summaries = await run(profiles: profiles)
            result.withLock { $0 = summaries }
            done.signal()
        }
        done.wait()
        return result.current
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

    /// The issue an error makes: its stable code and description (`TRANSPORT_UNAVAILABLE` for an error without a
    /// code), blocked when a `TransportError`'s kind needs a person.
    public init(_ error: any Error) {
        let coded = error as? any CodedError
        self.init(code: coded?.code ?? "TRANSPORT_UNAVAILABLE", message: coded?.description ?? "\(error)",
                  blocked: (error as? TransportError)?.kind.blocksDSP ?? false)
    }
}
