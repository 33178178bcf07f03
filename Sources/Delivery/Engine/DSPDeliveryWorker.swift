import DDEXConfig
import DDEXModel
import DDEXRuntime
import Foundation
import Logging
import Store

/// One DSP's deliveries: up to `max_sessions` SFTP sessions, up to that many deliveries under way at once and,
/// within a delivery, that many files going up at once. It depends on no other DSP: there is no pass that a
/// slow DSP holds open for a fast one.
///
/// The daemon keeps one per DSP for as long as it runs (`DeliveryService`); `ddexd deliver` drains each once.
///
/// In a cluster (`leases`) a worker takes the lease of each delivery before it claims it, and of as many of the
/// DSP's session slots (`session:<dsp>:<n>`, n < `max_sessions`) as it can before it connects, so that the DSP's
/// `max_sessions` holds across every instance. It also takes over the deliveries a dead instance left under way.
public final class DSPDeliveryWorker: Sendable {
    public let profile: DSPProfile
    public let store: any DeliveryRepository
    public let sessions: SessionPool
    public let pool: BlockingPool
    /// This instance's leases, in a daemon; nil for a one-shot command that holds the spool lock.
    public let leases: LeaseKeeper?
    private let logger: Logger
    private let now: @Sendable () -> Date

    /// A worker for `profile` with its own session pool (`max_sessions` connections made with `makeTransport` as
    /// needed), running its blocking work on `pool`; no connection is made until a delivery is due.
    public init(profile: DSPProfile, store: any DeliveryRepository, makeTransport: @escaping MakeTransport, pool: BlockingPool,
                logger: Logger, leases: LeaseKeeper? = nil, now: @escaping @Sendable () -> Date = { Date() })
    {
        self.profile = profile
        self.store = store
        sessions = SessionPool(profile: profile, makeTransport: makeTransport)
        self.pool = pool
        self.leases = leases
        var log = logger
        log[metadataKey: "dsp"] = "\(profile.name)"
        self.logger = log
        self.now = now
    }

    /// The lease of one delivery.
    public static func resource(delivery id: Int64) -> String { "delivery:\(id)" }

    /// The lease names of `dsp`'s session slots.
    public static func sessionSlots(dsp: String, maxSessions: Int) -> [String] {
        (0..<max(1, maxSessions)).map { "session:\(dsp):\($0)" }
    }

    /// Delivers everything due now, refilling up to `max_sessions` deliveries in flight as each ends, until
    /// nothing due is left (or `stopClaiming` says so: those under way finish). `onAttempt` hears of every
    /// attempt's outcome as it happens. Nothing due means no connection is made.
    public func drain(stopClaiming: @escaping @Sendable () -> Bool = { false },
                      onAttempt: @escaping @Sendable (DeliveryRecord) async -> Void = { _ in }) async -> DeliveryPass.Summary
    {
        var summary = DeliveryPass.Summary()
        if let leases { await takeOverAbandoned(leases) }
        guard let first = try? await due(excluding: [], limit: 1), !first.isEmpty else { return summary }
        let slots = await takeSessionSlots()
        if leases != nil {
            guard !slots.isEmpty else {
                summary.sessionsBusyElsewhere = true
                return summary
            }
            sessions.limit(to: slots.count)
        }
        await drain(into: &summary, stopClaiming: stopClaiming, onAttempt: onAttempt)
        if let leases, !slots.isEmpty {
            _ = try? await pool.run { for slot in slots { leases.releaseQuietly(slot) } }
        }
        return summary
    }

    /// Reaches the DSP, then claims and runs what is due.
    private func drain(into summary: inout DeliveryPass.Summary, stopClaiming: @escaping @Sendable () -> Bool,
                       onAttempt: @escaping @Sendable (DeliveryRecord) async -> Void) async
    {
        do {
            // Reach the DSP before claiming anything: one that cannot be reached keeps its deliveries queued.
            try await sessions.withSession(on: pool) { try $0.connect() }
        } catch is CancellationError {
            return
        } catch {
            let issue = DSPIssue(error)
            summary.dspError = issue
            // A blocked DSP is logged once per change by whoever parks it, not on every try.
            logger.log(level: issue.blocked ? .debug : .error, "cannot reach the DSP", metadata: ["error": "\(error)"])
            return
        }
        summary.reached = true
        await run(into: &summary, stopClaiming: stopClaiming, onAttempt: onAttempt)
    }

    /// Claims and runs due deliveries, refilling up to the sessions' capacity as each ends.
    private func run(into summary: inout DeliveryPass.Summary, stopClaiming: @escaping @Sendable () -> Bool,
                     onAttempt: @escaping @Sendable (DeliveryRecord) async -> Void) async
    {
        let (leases, pool) = (leases, pool)
        let runner = DeliveryRunner(store: store, sessions: sessions, pool: pool, logger: logger, now: now) { id in
            try leases?.confirm(Self.resource(delivery: id))
        }
        var tried: Set<Int64> = []
        var running = 0
        await withTaskGroup(of: (Int64, Result<DeliveryRunner.Outcome?, any Error>).self) { group in
            func refill() async {
                guard !stopClaiming(), summary.dspError == nil, running < sessions.capacity, !Task.isCancelled else { return }
                guard let due = try? await claimable(excluding: tried, limit: sessions.capacity - running) else { return }
                for record in due {
                    tried.insert(record.id)
                    running += 1
                    group.addTask {
                        let result: Result<DeliveryRunner.Outcome?, any Error>
                        do { result = .success(try await runner.claimAndRun(record.id)) } catch { result = .failure(error) }
                        if let leases { _ = try? await pool.run { leases.releaseQuietly(Self.resource(delivery: record.id)) } }
                        return (record.id, result)
                    }
                }
            }
            await refill()
            while let (id, result) = await group.next() {
                running -= 1
                if let attempt = record(id, result, into: &summary) { await onAttempt(attempt) }
                await refill()
            }
        }
    }

    /// Due deliveries this instance may run now: in a cluster, those whose lease it could take (another instance
    /// may be claiming the same ones at this moment: each goes to one of them).
    private func claimable(excluding tried: Set<Int64>, limit: Int) async throws -> [DeliveryRecord] {
        let due = try await due(excluding: tried, limit: limit)
        guard let leases, !due.isEmpty else { return due }
        let taken = Set(try await pool.run { try leases.acquire(due.map { Self.resource(delivery: $0.id) }, limit: limit) })
        let skipped = due.filter { !taken.contains(Self.resource(delivery: $0.id)) }
        if !skipped.isEmpty { logger.debug("deliveries held by another instance", metadata: ["ids": "\(skipped.map(\.id))"]) }
        return due.filter { taken.contains(Self.resource(delivery: $0.id)) }
    }

    /// The DSP's session slots this instance can take now (all of them outside a cluster).
    private func takeSessionSlots() async -> [String] {
        guard let leases else { return [] }
        let names = Self.sessionSlots(dsp: profile.name, maxSessions: profile.transport.maxSessions)
        return (try? await pool.run { try leases.acquire(names, limit: names.count) }) ?? []
    }

    /// Sends back to the queue the deliveries another instance left under way when it died (their lease expired).
    private func takeOverAbandoned(_ leases: LeaseKeeper) async {
        let (store, dsp, now, logger) = (store, profile.name, now, logger)
        _ = try? await pool.run {
            let resumed = try DeliveryPass.requeueInterrupted(store.deliveries(dsp: dsp, states: [.uploading, .uploaded]),
                                                              store: store, leases: leases, now: now())
            if !resumed.isEmpty { logger.notice("deliveries taken over from a stopped instance", metadata: ["ids": "\(resumed)"]) }
        }
    }

    /// The time of the earliest retry that falls due, if any delivery waits for one.
    public func nextRetry() async -> Date? {
        let (store, dsp) = (store, profile.name)
        let records = try? await pool.run { try store.deliveries(dsp: dsp, states: [.retryWait]) }
        return records?.compactMap(\.nextAttemptAt).min().map { Date(timeIntervalSince1970: $0) }
    }

    /// Closes the sessions kept open between drains.
    public func close() async { await sessions.closeIdle(on: pool) }

    private func due(excluding tried: Set<Int64>, limit: Int) async throws -> [DeliveryRecord] {
        let (store, dsp, time) = (store, profile.name, now().timeIntervalSince1970)
        let window = limit + tried.count
        return try await pool.run { try store.due(dsp: dsp, now: time, limit: window) }
            .filter { !tried.contains($0.id) }.prefix(limit).map { $0 }
    }

    /// Adds an attempt's outcome to the summary; returns the delivery as stored when an attempt ran.
    private func record(_ id: Int64, _ result: Result<DeliveryRunner.Outcome?, any Error>,
                        into summary: inout DeliveryPass.Summary) -> DeliveryRecord?
    {
        switch result {
        case .success(nil):
            return nil // another worker took it
        case let .success(outcome?):
            let record = outcome.record
            switch record.state {
            case .completed: summary.completed.append(id)
            case .retryWait: summary.retrying.append(id)
            default: summary.failed.append(id)
            }
            if let code = record.lastErrorCode {
                summary.deliveryErrors.append(DeliveryIssue(id: id, code: code, message: record.lastErrorMessage ?? ""))
            }
            if let blocked = outcome.blockedBy { summary.dspError = DSPIssue(blocked) }
            return record
        case .failure(is LeaseLost):
            return nil // another instance took it over: it finishes it
        case .failure(is CancellationError):
            return nil // shutdown: the delivery stays in flight and is resumed at the next start
        case let .failure(error):
            summary.deliveryErrors.append(DeliveryIssue(id: id, error: error))
            logger.error("delivery step failed", metadata: ["delivery": "\(id)", "error": "\(error)"])
            return nil
        }
    }
}
