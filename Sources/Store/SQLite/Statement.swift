import CSQLite

/// A compiled SQL statement. Prepare once, then bind, step and reset as often as needed.
///
/// Parameters are numbered from 1 as in SQLite (`?1`, or the position of `?`); named parameters
/// (`:isrc`, `@isrc`, `$isrc`) resolve to their index with `index(of:)` or bind through `bind(_:named:)`.
/// Columns are numbered from 0. A statement belongs to its `Database` and shares its confinement.
public final class Statement {
    public let sql: String
    /// Keeps the connection alive for as long as the statement exists.
    public let database: Database
    private var handle: OpaquePointer?
    private var connection: OpaquePointer

    init(database: Database, sql: String) throws(StoreError) {
        let db = try database.liveHandle(for: sql)
        var statement: OpaquePointer?
        // The tail points into the C string, so it is read inside withCString, while that string lives.
        let (result, hasMore) = sql.withCString { text -> (Int32, Bool) in
            var tail: UnsafePointer<CChar>?
            let result = sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            guard result == SQLITE_OK, let tail else { return (result, false) }
            return (result, !String(cString: tail).allSatisfy { $0.isWhitespace || $0 == ";" })
        }
        guard result == SQLITE_OK else {
            throw StoreError.sqlite(result, db, during: .prepare, sql: sql)
        }
        if hasMore {
            sqlite3_finalize(statement)
            throw StoreError(.prepare, message: "only one statement may be prepared at a time (use execute for scripts)", sql: sql)
        }
        guard let statement else {
            throw StoreError(.prepare, message: "the SQL holds no statement", sql: sql)
        }
        self.sql = sql
        self.database = database
        self.handle = statement
        self.connection = db
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    /// Number of parameters the statement takes.
    public var parameterCount: Int32 { sqlite3_bind_parameter_count(handle) }

    /// The 1-based index of a named parameter such as `:isrc`.
    public func index(of name: String) throws(StoreError) -> Int32 {
        let index = sqlite3_bind_parameter_index(handle, name)
        guard index > 0 else { throw StoreError(.bind, message: "no parameter named \(name)", sql: sql) }
        return index
    }

    private func check(_ result: Int32) throws(StoreError) {
        guard result == SQLITE_OK else { throw StoreError.sqlite(result, connection, during: .bind, sql: sql) }
    }

    public func bind(_ value: Int64, at index: Int32) throws(StoreError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    public func bind(_ value: Int, at index: Int32) throws(StoreError) {
        try check(sqlite3_bind_int64(handle, index, Int64(value)))
    }

    public func bind(_ value: Int64?, at index: Int32) throws(StoreError) {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    public func bind(_ value: Double?, at index: Int32) throws(StoreError) {
        if let value { try check(sqlite3_bind_double(handle, index, value)) } else { try bindNull(at: index) }
    }

    public func bind(_ value: Bool?, at index: Int32) throws(StoreError) {
        try bind(value.map { $0 ? Int64(1) : Int64(0) }, at: index)
    }

    /// Binds text (SQLite copies it). nil binds NULL; an empty string binds the empty string, not NULL.
    public func bind(_ value: String?, at index: Int32) throws(StoreError) {
        guard var value else { return try bindNull(at: index) }
        let result = value.withUTF8 { bytes in
            bindText(bytes.baseAddress, count: bytes.count, at: index)
        }
        try check(result)
    }

    /// Binds UTF-8 text straight from a byte buffer (SQLite copies it), avoiding a `String`.
    public func bindText(_ bytes: UnsafeRawBufferPointer, at index: Int32) throws(StoreError) {
        try check(bindText(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count, at: index))
    }

    private func bindText(_ base: UnsafePointer<UInt8>?, count: Int, at index: Int32) -> Int32 {
        // A nil pointer would bind NULL; an empty string must stay an empty string.
        guard let base, count > 0 else {
            return sqlite3_bind_text(handle, index, "", 0, ddexd_sqlite_transient())
        }
        return base.withMemoryRebound(to: CChar.self, capacity: count) {
            sqlite3_bind_text(handle, index, $0, Int32(count), ddexd_sqlite_transient())
        }
    }

    /// Binds text without copying it (`SQLITE_STATIC`): the bytes must stay valid and unchanged until the
    /// statement has been stepped and reset. Internal, for bulk writers that keep a row's text in one buffer.
    func bindTextNoCopy(_ base: UnsafePointer<UInt8>?, count: Int, at index: Int32) throws(StoreError) {
        guard let base, count > 0 else {
            return try check(sqlite3_bind_text(handle, index, Statement.emptyText, 0, nil))
        }
        let result = base.withMemoryRebound(to: CChar.self, capacity: count) {
            sqlite3_bind_text(handle, index, $0, Int32(count), nil)
        }
        try check(result)
    }

    /// A NUL byte that lives for the whole process, for empty no-copy text.
    private nonisolated(unsafe) static let emptyText: UnsafeMutablePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    /// Binds a blob (SQLite copies it).
    public func bind(blob value: [UInt8]?, at index: Int32) throws(StoreError) {
        guard let value else { return try bindNull(at: index) }
        let result = value.withUnsafeBytes { bytes in
            sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count),
                              ddexd_sqlite_transient())
        }
        try check(result)
    }

    public func bindNull(at index: Int32) throws(StoreError) {
        try check(sqlite3_bind_null(handle, index))
    }

    public func bind(_ value: SQLValue, at index: Int32) throws(StoreError) {
        switch value {
        case .integer(let v): try bind(v, at: index)
        case .real(let v): try bind(v, at: index)
        case .text(let v): try bind(v, at: index)
        case .blob(let v): try bind(blob: v, at: index)
        case .null: try bindNull(at: index)
        }
    }

    public func bind(_ value: SQLValue, named name: String) throws(StoreError) {
        try bind(value, at: index(of: name))
    }

    /// Binds `values` to parameters 1...n; the count must match the statement's.
    public func bind(_ values: [SQLValue]) throws(StoreError) {
        guard values.count == Int(parameterCount) else {
            throw StoreError(.bind, message: "\(values.count) values for \(parameterCount) parameters", sql: sql)
        }
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    /// Sets every parameter back to NULL.
    public func clearBindings() { sqlite3_clear_bindings(handle) }

    // MARK: Stepping

    /// Advances to the next row: true when a row is available, false when the statement is done.
    public func step() throws(StoreError) -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = StoreError.sqlite(result, connection, during: .step, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Steps to completion (for statements that return no rows), then resets for the next use.
    /// Bindings stay; bind the parameters that change and call `run` again.
    public func run() throws(StoreError) {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Makes the statement ready to run again (bindings are kept).
    public func reset() { sqlite3_reset(handle) }

    // MARK: Columns

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func columnName(at index: Int32) -> String {
        sqlite3_column_name(handle, index).map { String(cString: $0) } ?? ""
    }

    public func isNull(at index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    public func int64(at index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    public func int(at index: Int32) -> Int { Int(sqlite3_column_int64(handle, index)) }

    /// The integer in the column, or nil when it is NULL.
    public func optionalInt64(at index: Int32) -> Int64? { isNull(at: index) ? nil : int64(at: index) }

    public func double(at index: Int32) -> Double? { isNull(at: index) ? nil : sqlite3_column_double(handle, index) }

    /// The column as text, or nil when it is NULL.
    /// A text cell's bytes without copying them (empty when NULL), valid until the next `step` or `reset`: for
    /// scans that compare cells rather than keep them.
    @inline(__always)
    public func bytes(at index: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let pointer = sqlite3_column_text(handle, index) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, index)))
    }

    public func string(at index: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The column as bytes, or nil when it is NULL.
    public func blob(at index: Int32) -> [UInt8]? {
        if isNull(at: index) { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let bytes = sqlite3_column_blob(handle, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    public func value(at index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(int64(at: index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT: return .text(string(at: index) ?? "")
        case SQLITE_BLOB: return .blob(blob(at: index) ?? [])
        default: return .null
        }
    }
}
