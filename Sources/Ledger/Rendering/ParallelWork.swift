import Foundation

/// Independent pieces of work shared out over a few threads of their own, for a command that has cores to spare
/// (writing thousands of statement pages). Not for the daemon, whose blocking work has its own pool.
enum ParallelWork {
    /// `body(i)` for every i in `0..<count`, on `workers` threads (the caller's among them), item i by thread
    /// i % workers; the results in index order. The first error thrown stops every thread at its next item and
    /// is rethrown once all have stopped.
    static func map<T: Sendable>(count: Int, workers: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let state = SharedResults<T>(count: count)
        let threads = max(1, min(workers, count))
        let done = DispatchSemaphore(value: 0)
        @Sendable func work(_ w: Int) {
            var i = w
            while i < count, !state.failed {
                do { state.set(i, try body(i)) } catch { state.fail(error) }
                i += threads
            }
        }
        for w in 1..<max(1, threads) {
            Thread {
                work(w)
                done.signal()
            }.start()
        }
        work(0)
        for _ in 1..<max(1, threads) { done.wait() }
        return try state.results()
    }

    /// The results being filled in, one slot per item, and the first error.
    private final class SharedResults<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [T?]
        private var error: (any Error)?

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        var failed: Bool { lock.withLock { error != nil } }

        func set(_ i: Int, _ value: T) { lock.withLock { slots[i] = value } }

        func fail(_ error: any Error) { lock.withLock { if self.error == nil { self.error = error } } }

        func results() throws -> [T] {
            try lock.withLock {
                if let error { throw error }
                return slots.map { $0! }
            }
        }
    }
}
