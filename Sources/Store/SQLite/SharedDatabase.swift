import Foundation

/// A `Database` shared between threads: each unit of work runs alone on the connection, and units run in the
/// order they asked (first come, first served), so a transaction started in `withDatabase` is never interleaved
/// with another caller's statements and a long job written as many short units (a DSR load) cannot starve the
/// others: each unit waits at most for the ones queued before it.
///
/// The daemon's one writing connection is a `SharedDatabase`; readers use a connection of their own (SQLite's
/// WAL lets it read while the writer writes).
public final class SharedDatabase: @unchecked Sendable {
    // Safety: `database` is only touched by the holder of the current ticket.
    private let condition = NSCondition()
    private var nextTicket: UInt64 = 0
    private var serving: UInt64 = 0
    private let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// Runs `body` with exclusive use of the connection, after every unit that asked before. Do not let `body`
    /// keep the `Database` or any `Statement` beyond the call.
    public func withDatabase<T>(_ body: (Database) throws -> T) rethrows -> T {
        condition.lock()
        let ticket = nextTicket
        nextTicket &+= 1
        while serving != ticket { condition.wait() }
        condition.unlock()
        defer {
            condition.lock()
            serving &+= 1
            condition.broadcast()
            condition.unlock()
        }
        return try body(database)
    }
}
