/// Where a unit of writing work runs: one transaction on the store's writing connection.
///
/// A `Database` the caller owns writes directly; the daemon's `SharedDatabase` takes its turn on the connection
/// for the unit, so long jobs (a DSR load) written as many bounded units let every other writer in between.
public protocol DatabaseWriter {
    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws). A unit that is
    /// not `durable` commits without waiting for the disk (SQLite's `synchronous=NORMAL` in WAL mode): for work
    /// that a later durable unit publishes, and that is redone after a crash (a DSR load's staged rows).
    func write<T>(durable: Bool, _ body: (Database) throws -> T) throws -> T
}

extension DatabaseWriter {
    /// Runs `body` in one durable transaction.
    public func write<T>(_ body: (Database) throws -> T) throws -> T { try write(durable: true, body) }
}

extension Database: DatabaseWriter {
    public func write<T>(durable: Bool, _ body: (Database) throws -> T) throws -> T {
        guard !durable, !isInTransaction else { return try transaction { try body(self) } }
        // The settings cannot change inside a transaction: around it, and back to what they were. No automatic
        // checkpoint after such a unit either (it would fsync the database file): the next durable commit does it.
        let synchronous = try scalarInt("PRAGMA synchronous") ?? 2
        let checkpoint = try scalarInt("PRAGMA wal_autocheckpoint") ?? 1000
        try execute("PRAGMA synchronous=NORMAL")
        try execute("PRAGMA wal_autocheckpoint=0")
        defer {
            try? execute("PRAGMA synchronous=\(synchronous)")
            try? execute("PRAGMA wal_autocheckpoint=\(checkpoint)")
        }
        return try transaction { try body(self) }
    }
}

extension SharedDatabase: DatabaseWriter {
    public func write<T>(durable: Bool, _ body: (Database) throws -> T) throws -> T {
        try withDatabase { db in try db.write(durable: durable, body) }
    }
}
