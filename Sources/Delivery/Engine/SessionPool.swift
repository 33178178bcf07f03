import DDEXConfig
import DDEXRuntime

/// Up to `max_sessions` connections to one DSP, lent to one blocking job at a time.
///
/// A session is made on first need and kept for the next job; `withSession` runs its body on the blocking
/// pool with the session's transport and gives the session back. libssh2 handles must never be used by two
/// threads at once, and a job whose caller was cancelled may still be running on its thread, so a session
/// whose job was cancelled is never lent again (it is dropped, and a fresh one made when needed).
public final class SessionPool: Sendable {
    /// A transport on loan. `@unchecked Sendable`: it moves between threads but is used by one at a time.
    final class Session: @unchecked Sendable {
        let transport: any DeliveryTransport
        init(_ transport: any DeliveryTransport) { self.transport = transport }
    }

    private struct State {
        var idle: [Session] = []
        var lent = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextWaiter: UInt64 = 0
        var limit: Int
    }

    public let profile: DSPProfile
    /// `max_sessions`, at least 1: the most sessions this pool ever holds.
    public let maxSessions: Int
    private let makeTransport: MakeTransport
    private let state: Locked<State>

    /// A pool of up to `max_sessions` (at least 1) transports made with `makeTransport` on first need; none is made
    /// here.
    public init(profile: DSPProfile, makeTransport: @escaping MakeTransport) {
        self.profile = profile
        self.makeTransport = makeTransport
        maxSessions = max(1, profile.transport.maxSessions)
        state = Locked(State(limit: maxSessions))
    }

    /// How many sessions may be lent at once now: `max_sessions`, or fewer while other instances of a cluster hold
    /// some of the DSP's session slots (`limit(to:)`).
    public var capacity: Int { state.withLock { $0.limit } }

    /// Lends at most `slots` sessions at once (1...`max_sessions`) from now on; sessions lent already stay lent. The
    /// DSP's `max_sessions` holds across a cluster when each instance limits its pool to the slots it holds.
    public func limit(to slots: Int) {
        state.withLock { $0.limit = min(maxSessions, max(1, slots)) }
    }

    /// Runs `body` on `pool` with one of the DSP's sessions, waiting for a free one when all are lent.
    public func withSession<T: Sendable>(on pool: BlockingPool, _ body: @escaping @Sendable (any DeliveryTransport) throws -> T) async throws -> T {
        let session = try await acquire(on: pool)
        do {
            let value = try await pool.run { try body(session.transport) }
            release(session, reusable: true)
            return value
        } catch is CancellationError {
            release(session, reusable: false)
            throw CancellationError()
        } catch {
            release(session, reusable: true)
            throw error
        }
    }

    /// Logs in up to `count` sessions at once, taking only those free now (it never waits for another delivery's),
    /// so that the uploads that follow start together rather than each waiting for its own login.
    public func connect(upTo count: Int, on pool: BlockingPool) async throws {
        var held: [Session] = []
        var toMake = 0
        state.withLock { state in
            while held.count + toMake < count, state.lent < state.limit {
                state.lent += 1
                if let session = state.idle.popLast() { held.append(session) } else { toMake += 1 }
            }
        }
        let make = makeTransport
        let profile = profile
        do {
            for _ in 0..<toMake {
                held.append(try await pool.run { Session(try make(profile)) })
                toMake -= 1
            }
        } catch {
            for _ in 0..<toMake { release(nil, reusable: false) }
            for session in held { release(session, reusable: true) }
            throw error
        }
        let failure = Locked<(any Error)?>(nil)
        await withTaskGroup(of: Void.self) { group in
            for session in held {
                group.addTask {
                    do {
                        try await pool.run { try session.transport.connect() }
                        self.release(session, reusable: true)
                    } catch is CancellationError {
                        self.release(session, reusable: false)
                    } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                        self.release(session, reusable: true)
                    }
                }
            }
        }
        if let error = failure.current { throw error }
    }

    /// Closes the idle sessions (on `pool`: closing an SFTP session talks to the server).
    public func closeIdle(on pool: BlockingPool) async {
        let idle = state.withLock { state -> [Session] in
            defer { state.idle = [] }
            return state.idle
        }
        guard !idle.isEmpty else { return }
        _ = try? await pool.run { for session in idle { session.transport.close() } }
    }

    private func acquire(on pool: BlockingPool) async throws -> Session {
        while true {
            try Task.checkCancellation()
            enum Step { case take(Session), make, wait }
            let step = state.withLock { state -> Step in
                guard state.lent < state.limit else { return .wait }
                if let session = state.idle.popLast() {
                    state.lent += 1
                    return .take(session)
                }
                if state.lent < state.limit {
                    state.lent += 1
                    return .make
                }
                return .wait
            }
            switch step {
            case let .take(session):
                return session
            case .make:
                do {
                    let make = makeTransport
                    let profile = profile
                    let transport = try await pool.run { Session(try make(profile)) }
                    return transport
                } catch {
                    release(nil, reusable: false)
                    throw error
                }
            case .wait:
                try await waitForRelease()
            }
        }
    }

    private func waitForRelease() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.waiters.append((id, continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }?.resume(throwing: CancellationError())
        }
    }

    /// Gives a session back (or drops it) and wakes one waiter, which then takes it or makes a new one.
    private func release(_ session: Session?, reusable: Bool) {
        state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.lent -= 1
            if let session, reusable { state.idle.append(session) }
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst().continuation
        }?.resume()
    }
}
