/// A coalescing wake-up between tasks: any number of `kick()`s before the waiter looks count as one.
///
/// One task waits (`wait(atMost:)`); any task or thread kicks. A kick with nobody waiting is kept for the next
/// wait, so no wake-up is lost between a waiter's checks.
public final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
    }

    private let state = Locked(State())

    public init() {}

    /// Wakes the waiter, or the next one to wait.
    public func kick() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }?.resume()
    }

    /// Wakes the waiter now and every later wait at once (shutdown).
    public func finish() {
        state.withLock { $0.finished = true }
        kick()
    }

    /// True after `finish()`.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// Returns after a kick, after `timeout`, or when the task is cancelled, whichever comes first.
    public func wait(atMost timeout: Duration) async {
        let kicked = state.withLock { state -> Bool in
            if state.pending || state.finished {
                state.pending = false
                return true
            }
            return false
        }
        if kicked { return }
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            kick()
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || state.finished || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            kick()
        }
    }
}
