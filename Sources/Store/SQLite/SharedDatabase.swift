import Foundation

/// A `Database` shared between tasks: each unit of work runs under a lock, so a transaction started in
/// `withDatabase` is never interleaved with another caller's statements.
///
/// Use it where one connection must serve several tasks (the daemon's status writers). Work that can
/// own its connection (a DSR load, a benchmark) should open its own `Database` instead: SQLite's WAL
/// lets that connection read while another writes.
public final class SharedDatabase: @unchecked Sendable {
    // Safety: `database` is only touched inside `lock`.
    private let lock = NSLock()
    private let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// Runs `body` with exclusive use of the connection. Do not let `body` keep the `Database` or any
    /// `Statement` beyond the call.
    public func withDatabase<T>(_ body: (Database) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(database)
    }
}
