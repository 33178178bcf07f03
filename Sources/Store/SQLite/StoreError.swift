import CSQLite
import DDEXModel

/// A failure of the persistent store, with the engine's own message and the SQL that failed.
///
/// `code` is stable (`STORE_OPEN`, `STORE_PREPARE`, `STORE_STEP`, `STORE_CONSTRAINT`, `STORE_BUSY`,
/// `STORE_MIGRATION`, `STORE_SCHEMA_TOO_NEW`, `STORE_SCHEMA_MISMATCH`, `STORE_MISUSE`, `STORE_DECODE`, and for a
/// database server `STORE_UNREACHABLE`, `STORE_AUTH`, `STORE_TLS`, `STORE_PASSWORD_FILE`); `sqliteCode` is SQLite's
/// extended result code, `sqlState` PostgreSQL's SQLSTATE.
public struct StoreError: RetryableError, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case open = "STORE_OPEN"
        case prepare = "STORE_PREPARE"
        case bind = "STORE_BIND"
        case step = "STORE_STEP"
        case constraint = "STORE_CONSTRAINT"
        case busy = "STORE_BUSY"
        case migration = "STORE_MIGRATION"
        case schemaTooNew = "STORE_SCHEMA_TOO_NEW"
        case misuse = "STORE_MISUSE"
        /// A stored row that does not decode (a value no type of ddexd has): never replaced by a default.
        case decode = "STORE_DECODE"
        /// The database holds migrations this ddexd does not have under the same version (not a ddexd database,
        /// or one changed by hand).
        case schemaMismatch = "STORE_SCHEMA_MISMATCH"
        /// The database server cannot be reached, refused the connection, or the connection was lost.
        case unreachable = "STORE_UNREACHABLE"
        /// The database server refused the user or the password.
        case authentication = "STORE_AUTH"
        /// TLS was required and could not be set up, or the server's certificate did not verify.
        case tls = "STORE_TLS"
        /// The password file could not be read.
        case passwordFile = "STORE_PASSWORD_FILE"
    }

    public var kind: Kind
    /// SQLite's extended result code, or 0 when the error did not come from SQLite.
    public var sqliteCode: Int32
    public var message: String
    /// The statement that failed, when there is one.
    public var sql: String?
    /// PostgreSQL's SQLSTATE (`23505`, `40001`, …), when the error came from a PostgreSQL server.
    public var sqlState: String?

    public init(_ kind: Kind, sqliteCode: Int32 = 0, message: String, sql: String? = nil, sqlState: String? = nil) {
        self.kind = kind
        self.sqliteCode = sqliteCode
        self.message = message
        self.sql = sql
        self.sqlState = sqlState
    }

    public var code: String { kind.rawValue }

    /// True for a database server that is away (`STORE_UNREACHABLE`) or busy (`STORE_BUSY`): the same unit of work
    /// may succeed later, so it must be retried, never skipped.
    public var isRetryable: Bool { kind == .unreachable || kind == .busy }

    public var description: String {
        var text = "\(code): \(message)"
        if sqliteCode != 0 { text += " (SQLite \(sqliteCode))" }
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let sql { text += " in: \(sql.count > 300 ? String(sql.prefix(300)) + "…" : sql)" }
        return text
    }

    /// Builds the error for a failed SQLite call on `handle`, choosing the kind from the result code.
    static func sqlite(_ result: Int32, _ handle: OpaquePointer?, during kind: Kind, sql: String?) -> StoreError {
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? result
        let message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(result))
        let primary = extended & 0xFF
        let resolved: Kind
        switch primary {
        case SQLITE_CONSTRAINT: resolved = .constraint
        case SQLITE_BUSY, SQLITE_LOCKED: resolved = .busy
        default: resolved = kind
        }
        return StoreError(resolved, sqliteCode: extended, message: message, sql: sql)
    }
}
