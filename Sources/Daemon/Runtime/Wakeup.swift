import Foundation

/// A coalescing wake-up signal between tasks: any number of `kick()`s before the consumer looks
/// count as one. The consumer waits with `next()` (or with a timeout).
public final class Wakeup: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func kick() { continuation.yield() }
    public func finish() { continuation.finish() }

    /// The single consumer's view of the kicks.
    public var kicks: AsyncStream<Void> { stream }
}

/// Runs blocking work (file I/O, libssh2, SQLite) on a thread of its own, off Swift's cooperative pool.
public func onBlockingThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .utility).async {
            continuation.resume(with: Result { try body() })
        }
    }
}
