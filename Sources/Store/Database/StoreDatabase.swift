import Foundation
import GRDB

/// The store: one SQLite file in WAL mode behind GRDB's `DatabasePool`, with **one writing connection** and a pool
/// of reading ones.
///
/// Every write of ddexd, whatever its subsystem, runs on the one writer, one unit of work (one transaction) at a
/// time in the order the units asked for it (GRDB's serialized writer), so a long job written as many short units
/// (a DSR load) lets every other writer in between. Readers (the status files, statements) read a committed
/// snapshot through pooled connections and never wait for the writer. Callers never see a lock or a thread: they
/// call `write` or `read`, which block the calling thread, so call them from the daemon's `BlockingPool` (or a
/// command's main thread), never from Swift's cooperative pool.
///
/// Opening applies every pending migration (`StoreMigrator`). Each subsystem reaches its tables through its own
/// repository (`PackageRepository`, `DeliveryRepository`, `AcknowledgementRepository`, `DSRReportRepository`), whose
/// SQLite implementations take this type; a PostgreSQL engine can implement the same protocols.
///
/// **Durability.** `synchronous` is `FULL` by default: in WAL mode that costs one `fsync` of the log per commit,
/// and a committed delivery, acknowledgement or ledger entry survives a power cut (with `NORMAL` the last commits
/// could roll back after a power loss, and ddexd would redeliver or re-ingest). Work that a later durable unit
/// publishes writes with `durable: false` (a DSR load's staged rows).
public final class StoreDatabase: Sendable {
    /// Settings applied to every connection as it opens.
    public struct Options: Sendable {
        /// SQLite's `synchronous` pragma: how much durability each commit buys with an `fsync`.
        public enum Synchronous: String, Sendable {
            /// Every commit is durable (one `fsync` of the WAL per commit). The default.
            case full = "FULL"
            /// Commits may roll back on power loss (never on a process crash); the file stays consistent.
            case normal = "NORMAL"
        }

        public var synchronous: Synchronous
        /// How long a writer waits for another process's lock before `STORE_BUSY`.
        public var busyTimeoutMilliseconds: Int
        /// SQLite's page cache per connection, in KiB.
        public var cacheSizeKiB: Int
        /// Bytes of the file SQLite may memory-map for reads (0: none): long scans (statement runs) read straight
        /// from the page cache instead of copying every page.
        public var mmapSizeBytes: Int
        /// Reading connections at most.
        public var maximumReaders: Int

        public init(synchronous: Synchronous = .full, busyTimeoutMilliseconds: Int = 5000, cacheSizeKiB: Int = 8192,
                    mmapSizeBytes: Int = 0, maximumReaders: Int = 4)
        {
            self.synchronous = synchronous
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.cacheSizeKiB = cacheSizeKiB
            self.mmapSizeBytes = mmapSizeBytes
            self.maximumReaders = maximumReaders
        }

        /// For long read scans of a large store (statement runs): a bigger cache. No memory mapping: a 10M-line
        /// statement run took the same time without it (7.29 s vs 7.20 s) and the process's resident memory
        /// stays what it allocates, instead of growing by the gigabytes of store it mapped.
        public static let scanning = Options(cacheSizeKiB: 65536)
    }

    /// The file this store opened.
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the store at `path` and applies every pending migration of `migrations`.
    ///
    /// Throws `STORE_OPEN` when the file cannot be opened as a database, `STORE_MIGRATION` when a migration fails
    /// (it is rolled back; earlier ones stay) and `STORE_SCHEMA_TOO_NEW` when a newer ddexd wrote the file.
    public init(path: String, options: Options = Options(), migrations: [Migration] = Migrations.all) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(Double(options.busyTimeoutMilliseconds) / 1000)
        configuration.maximumReaderCount = max(1, options.maximumReaders)
        configuration.foreignKeysEnabled = true
        configuration.label = "ddexd-store"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size=-\(max(options.cacheSizeKiB, 64))")
            if options.mmapSizeBytes > 0 { try db.execute(sql: "PRAGMA mmap_size=\(options.mmapSizeBytes)") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB turns WAL on with `synchronous=NORMAL` after `prepareDatabase`; the writer's setting is ours.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous=\(options.synchronous.rawValue)") }
        } catch {
            throw StoreError(.open, sqliteCode: (error as? DatabaseError)?.extendedResultCode.rawValue ?? 0,
                             message: "\(path): \(StoreError.message(of: error))")
        }
        try StoreMigrator(migrations: migrations).migrate(pool, path: path)
    }

    /// Runs `body` in one transaction on the writing connection (committed when it returns, rolled back when it
    /// throws), after every unit that asked before. A unit that is not `durable` commits without waiting for the
    /// disk and without an automatic checkpoint (SQLite's `synchronous=NORMAL` in WAL mode), for work that a later
    /// durable unit publishes and that is redone after a crash (a DSR load's staged rows).
    ///
    /// SQLite's errors come out as `StoreError` (`STORE_CONSTRAINT`, `STORE_BUSY`, …); a row that does not decode
    /// as `STORE_DECODE`; errors `body` throws itself come out unchanged.
    public func write<T>(durable: Bool = true, _ body: (GRDB.Database) throws -> T) throws -> T {
        try StoreError.mapping {
            try pool.writeWithoutTransaction { db in
                guard !durable else { return try Self.inTransaction(db, body) }
                // The settings cannot change inside a transaction: around it, and back to what they were.
                let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? 2
                let checkpoint = try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 1000
                try db.execute(sql: "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0")
                defer { try? db.execute(sql: "PRAGMA synchronous=\(synchronous); PRAGMA wal_autocheckpoint=\(checkpoint)") }
                return try Self.inTransaction(db, body)
            }
        }
    }

    /// Runs `body` on a reading connection, in a transaction that sees one committed snapshot of the store. It
    /// never waits for the writer.
    public func read<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        try StoreError.mapping { try pool.read(body) }
    }

    /// Runs `body` on the writing connection outside any transaction (it opens its own), for the few callers that
    /// need SQLite's own connection (the bulk loaders and the ledger's prepared statements).
    func writeWithoutTransaction<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        try StoreError.mapping { try pool.writeWithoutTransaction(body) }
    }

    private static func inTransaction<T>(_ db: GRDB.Database, _ body: (GRDB.Database) throws -> T) throws -> T {
        var value: T?
        try db.inTransaction(.immediate) {
            value = try body(db)
            return .commit
        }
        return value!
    }

    /// `PRAGMA journal_mode` as SQLite reports it (`wal`).
    public func journalMode() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}
