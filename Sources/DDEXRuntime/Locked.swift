import Foundation

/// A value guarded by a lock: the one lock idiom of ddexd (after NIO's `NIOLockedValueBox`). The value is only
/// reached inside `withLock`, so it cannot be read or written without the lock held.
public final class Locked<Value>: @unchecked Sendable {
    // Safety: `value` is only touched while `lock` is held.
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    @discardableResult
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the value.
    public var current: Value { withLock { $0 } }
}
