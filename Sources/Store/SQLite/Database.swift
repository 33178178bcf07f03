import CSQLite
import DDEXModel
import Foundation

/// One SQLite connection.
///
/// **Concurrency model.** A `Database` is confined to its owner: one task, actor or thread uses it at a
/// time, and it is not `Sendable`. The connection is opened in SQLite's multi-thread mode
/// (`SQLITE_OPEN_NOMUTEX`), so SQLite adds no locking of its own. Code that must share one connection
/// between tasks wraps it in `SharedDatabase`, which runs each unit of work (including a whole
/// transaction) under a lock. Separate processes or connections on the same file coordinate through
/// SQLite's file locks: WAL lets readers run beside one writer, and the busy timeout makes a second
/// writer wait instead of failing at once.
///
/// **Durability.** The journal is WAL. `synchronous` defaults to `FULL`: in WAL mode that costs one
/// `fsync` of the log per commit, which is nothing next to a DSR load or an SFTP transfer, and it means a
/// committed delivery, acknowledgement or ledger entry survives a power cut (with `NORMAL` the last
/// commits could roll back after a power loss, and ddexd would redeliver or re-ingest). Bulk loaders
/// commit once per report, so the per-commit cost does not matter to them either.
public final class Database {
    /// Settings applied when a connection opens.
    public struct Options: Sendable {
        public enum Synchronous: String, Sendable {
            /// Every commit is durable (one `fsync` of the WAL per commit). The default.
            case full = "FULL"
            /// Commits may roll back on power loss (never on a process crash); the file stays consistent.
            case normal = "NORMAL"
        }

        public var synchronous: Synchronous
        /// How long a writer waits for another connection's lock before `STORE_BUSY`.
        public var busyTimeoutMilliseconds: Int32
        /// SQLite's page cache for this connection, in KiB.
        public var cacheSizeKiB: Int
        public var readOnly: Bool
        /// Bytes of the file SQLite may memory-map for reads (0: none). Long scans (statement runs) read
        /// straight from the page cache instead of copying every page.
        public var mmapSizeBytes: Int

        public init(synchronous: Synchronous = .full, busyTimeoutMilliseconds: Int32 = 5000,
                    cacheSizeKiB: Int = 8192, readOnly: Bool = false, mmapSizeBytes: Int = 0) {
            self.synchronous = synchronous
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.cacheSizeKiB = cacheSizeKiB
            self.readOnly = readOnly
            self.mmapSizeBytes = mmapSizeBytes
        }

        /// For long read scans of a large store (statement runs): a bigger cache. No memory mapping: a 10M-line
        /// statement run took the same time without it (7.29 s vs 7.20 s) and the process's resident memory
        /// stays what it allocates, instead of growing by the gigabytes of store it mapped.
        public static let scanning = Options(cacheSizeKiB: 65536)
    }

    /// The raw connection, for the rare call this wrapper does not cover. Do not close it.
    public private(set) var handle: OpaquePointer?
    /// The file this connection opened (`:memory:` for an in-memory database).
    public let path: String
    /// Depth of `transaction` calls in progress; beyond 0 nested calls use savepoints.
    var transactionDepth = 0
    /// False for a connection lent by the store's `StoreDatabase` (closed by its owner, never by this wrapper).
    private let ownsHandle: Bool

    /// Wraps a connection of the store's `StoreDatabase` for the code that still speaks this wrapper (the DSR bulk
    /// loader, the ledger), for the duration of one unit of work: it never closes the connection. Inside a
    /// transaction the lender opened, `transaction` nests as a savepoint.
    init(borrowing handle: OpaquePointer) {
        self.path = sqlite3_db_filename(handle, "main").map { String(cString: $0) } ?? ""
        self.handle = handle
        ownsHandle = false
        transactionDepth = sqlite3_get_autocommit(handle) == 0 ? 1 : 0
    }

    /// Opens (creating if needed) the database at `path` with WAL, foreign keys and a busy timeout.
    public init(path: String, options: Options = Options()) throws(StoreError) {
        self.path = path
        var db: OpaquePointer?
        let flags = (options.readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let result = sqlite3_open_v2(path, &db, flags, nil)
        guard result == SQLITE_OK else {
            let error = StoreError.sqlite(result, db, during: .open, sql: nil)
            sqlite3_close_v2(db)
            throw StoreError(.open, sqliteCode: error.sqliteCode, message: "\(path): \(error.message)")
        }
        handle = db
        ownsHandle = true
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, options.busyTimeoutMilliseconds)
        if !options.readOnly, path != ":memory:", !path.isEmpty {
            let mode = try scalarText("PRAGMA journal_mode=WAL")
            guard mode?.lowercased() == "wal" else {
                throw StoreError(.open, message: "\(path): could not switch to WAL (journal_mode is \(mode ?? "unknown"))")
            }
        }
        try execute("PRAGMA synchronous=\(options.synchronous.rawValue)")
        try execute("PRAGMA foreign_keys=ON")
        try execute("PRAGMA cache_size=-\(max(options.cacheSizeKiB, 64))")
        if options.mmapSizeBytes > 0 { try execute("PRAGMA mmap_size=\(options.mmapSizeBytes)") }
    }

    deinit {
        // close_v2 defers the close until the last Statement is finalized.
        if ownsHandle, let handle { sqlite3_close_v2(handle) }
    }

    /// Closes the connection now. Statements still alive keep it open until they are released.
    public func close() {
        if ownsHandle, let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    func liveHandle(for sql: String?) throws(StoreError) -> OpaquePointer {
        guard let handle else { throw StoreError(.misuse, message: "the database \(path) is closed", sql: sql) }
        return handle
    }

    /// Compiles one statement; keep it and reuse it for repeated work.
    public func prepare(_ sql: String) throws(StoreError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs one or more statements that take no parameters (schema scripts, pragmas).
    public func execute(_ sql: String) throws(StoreError) {
        let db = try liveHandle(for: sql)
        var errorMessage: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        if result != SQLITE_OK {
            var error = StoreError.sqlite(result, db, during: .step, sql: sql)
            if let errorMessage {
                error.message = String(cString: errorMessage)
                sqlite3_free(errorMessage)
            }
            throw error
        }
    }

    /// Runs `sql` with `arguments` bound by position and returns how many rows it changed.
    @discardableResult
    public func run(_ sql: String, _ arguments: SQLValue...) throws(StoreError) -> Int {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        try statement.run()
        return changes
    }

    /// The first column of the first row of `sql` as text (nil when no row or NULL).
    public func scalarText(_ sql: String, _ arguments: SQLValue...) throws(StoreError) -> String? {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return statement.string(at: 0)
    }

    /// The first column of the first row of `sql` as an integer (nil when no row or NULL).
    public func scalarInt(_ sql: String, _ arguments: SQLValue...) throws(StoreError) -> Int64? {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return statement.isNull(at: 0) ? nil : statement.int64(at: 0)
    }

    /// The rowid of the last row this connection inserted.
    public var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    public var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    /// `PRAGMA journal_mode` as SQLite reports it (`wal` for files opened by this type).
    public func journalMode() throws(StoreError) -> String {
        try scalarText("PRAGMA journal_mode") ?? ""
    }
}
