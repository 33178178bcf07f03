import GRDB

/// The store's connections as the older `Database` wrapper sees them, for the code not moved to GRDB yet (the DSR
/// bulk loader and the ledger): `withDatabase` lends the `StoreDatabase`'s one writing connection (or, for a
/// reading view, a pooled reading connection) for one unit of work, so every write still goes through the store's
/// one writer, first come, first served.
public final class SharedDatabase: Sendable {
    public let store: StoreDatabase
    private let reading: Bool

    /// A view of `store`'s writing connection, or with `reading`, of its reading connections.
    public init(_ store: StoreDatabase, reading: Bool = false) {
        self.store = store
        self.reading = reading
    }

    /// Runs `body` with exclusive use of a connection: the writer, after every unit that asked before, or a
    /// reader, inside a transaction on one snapshot. Do not let `body` keep the `Database` or any `Statement`
    /// beyond the call.
    public func withDatabase<T>(_ body: (Database) throws -> T) throws -> T {
        if reading {
            return try store.read { db in try body(Database(borrowing: db)) }
        }
        return try store.writeWithoutTransaction { db in try body(Database(borrowing: db)) }
    }
}

extension Database {
    /// The connection `db` of the store's `StoreDatabase`, lent for one unit of work.
    convenience init(borrowing db: GRDB.Database) {
        self.init(borrowing: db.sqliteConnection!)
    }
}
