/// Where a unit of writing work runs: one transaction on the store's writing connection.
///
/// A `Database` the caller owns writes directly; the daemon's `SharedDatabase` takes its lock for the unit, so
/// long jobs (a DSR load) written as many bounded units let every other writer in between theirs.
public protocol DatabaseWriter {
    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws).
    func write<T>(_ body: (Database) throws -> T) throws -> T
}

extension Database: DatabaseWriter {
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try transaction { try body(self) }
    }
}

extension SharedDatabase: DatabaseWriter {
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try withDatabase { db in try db.transaction { try body(db) } }
    }
}
