import GRDB

/// Where a unit of writing work runs: one transaction on the store's one writer. `StoreDatabase` is the writer;
/// long jobs written as many bounded units (a DSR load) take it through this protocol, so that a test can watch
/// each unit commit.
public protocol StoreWriter: Sendable {
    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws). A unit that is not
    /// `durable` commits without waiting for the disk, for work that a later durable unit publishes.
    func write<T>(durable: Bool, _ body: (GRDB.Database) throws -> T) throws -> T
}

extension StoreDatabase: StoreWriter {}
