import DDEXRuntime
import GRDB

/// A `StoreWriter` that opens the `StoreDatabase` of a file on its first unit of work, for callers that name the
/// store by its file (`DSRReportLoader(database:)`, while the ledger still holds connections of the older wrapper).
final class StoreOnFile: StoreWriter {
    private let path: String
    private let store = Locked<StoreDatabase?>(nil)

    init(path: String) { self.path = path }

    func write<T>(durable: Bool, _ body: (GRDB.Database) throws -> T) throws -> T {
        let store = try self.store.withLock { store in
            if let store { return store }
            let opened = try StoreDatabase(path: path)
            store = opened
            return opened
        }
        return try store.write(durable: durable, body)
    }
}
