import Foundation

/// A fixed set of dedicated threads for blocking work (libssh2, SQLite, hashing, file I/O), never Swift's
/// cooperative pool or GCD (after NIO's `NIOThreadPool`).
///
/// Size it to the work that can block at once: the daemon gives it one thread per SFTP session it may hold
/// plus one per poller, loader and service, so no caller ever waits for a thread behind another's
/// transfer. `run` is the async, cancellable entry point:
///
/// - cancelled before a thread takes the job, the job never runs and `run` throws `CancellationError`;
/// - cancelled while the job runs, `run` throws `CancellationError` at once and the job's thread finishes the
///   blocking call on its own, its result dropped. Callers that lend the job a resource (an SFTP session)
///   must not lend it again after a `CancellationError`. This is what lets shutdown end on time while an
///   upload is stuck in the kernel: the upload is resumed at the next start, like after a crash.
public final class BlockingPool: Sendable {
    private struct Job {
        let id: UInt64
        let body: @Sendable () -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var nextId: UInt64 = 0
        var threads = 0
        var idle = 0
        var stopping = false
    }

    public let name: String
    private let state = Locked(State())
    private let condition = NSCondition()

    /// Starts `threads` threads named `<name>-<n>`.
    public init(name: String, threads: Int) {
        self.name = name
        grow(to: threads)
    }

    deinit { shutdown() }

    /// How many threads the pool has.
    public var threadCount: Int { state.withLock { $0.threads } }

    /// Adds threads up to `count` (after a reload that adds sessions); never removes any.
    public func grow(to count: Int) {
        let start = state.withLock { state -> Range<Int> in
            let range = state.threads..<max(state.threads, count)
            state.threads = range.upperBound
            return range
        }
        for index in start {
            let thread = Thread { [self] in self.work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Lets every thread end once the queue is empty. Jobs queued afterwards never run.
    public func shutdown() {
        condition.lock()
        state.withLock { $0.stopping = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body` on one of the pool's threads and returns its result; see the type's notes on cancellation.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let outcome = Locked<Outcome<T>>(.waiting(nil))
        let id = state.withLock { state -> UInt64 in
            state.nextId += 1
            return state.nextId
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let cancelledAlready = outcome.withLock { current -> Bool in
                    if case .cancelled = current { return true }
                    current = .waiting(continuation)
                    return false
                }
                if cancelledAlready { return continuation.resume(throwing: CancellationError()) }
                enqueue(Job(id: id) {
                    let result = Result { try body() }
                    outcome.withLock { $0.finish(result) }?.resume(with: result)
                })
            }
        } onCancel: {
            self.remove(id)
            outcome.withLock { $0.cancel() }?.resume(throwing: CancellationError())
        }
    }

    private enum Outcome<T: Sendable> {
        case waiting(CheckedContinuation<T, any Error>?)
        case done
        case cancelled

        /// The continuation to resume with the job's result, unless cancellation resumed it already.
        mutating func finish(_ result: Result<T, any Error>) -> CheckedContinuation<T, any Error>? {
            guard case let .waiting(continuation) = self else { return nil }
            self = .done
            return continuation
        }

        /// The continuation to resume with `CancellationError`, if it was not resumed yet.
        mutating func cancel() -> CheckedContinuation<T, any Error>? {
            switch self {
            case let .waiting(continuation):
                self = .cancelled
                return continuation
            case .done, .cancelled:
                return nil
            }
        }
    }

    private func enqueue(_ job: Job) {
        condition.lock()
        state.withLock { $0.jobs.append(job) }
        condition.signal()
        condition.unlock()
    }

    private func remove(_ id: UInt64) {
        condition.lock()
        state.withLock { state in
            if let index = state.jobs[state.head...].firstIndex(where: { $0.id == id }) { state.jobs.remove(at: index) }
        }
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            var job: Job?
            while true {
                let (next, stopping) = state.withLock { state -> (Job?, Bool) in
                    guard state.head < state.jobs.count else {
                        state.jobs.removeAll(keepingCapacity: true)
                        state.head = 0
                        return (nil, state.stopping)
                    }
                    defer { state.head += 1 }
                    return (state.jobs[state.head], false)
                }
                if let next { job = next; break }
                if stopping { break }
                condition.wait()
            }
            condition.unlock()
            guard let job else { return }
            job.body()
        }
    }
}
