import GRDB

extension StoreError {
    /// Runs `body` and turns GRDB's errors into `StoreError`s of the matching kind: a constraint is
    /// `STORE_CONSTRAINT`, a lock held too long `STORE_BUSY`, a row that does not decode `STORE_DECODE`, any other
    /// SQLite failure `STORE_STEP`. Other errors (a caller's own) pass through unchanged.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(error)
        } catch let error as RowDecodingError {
            throw StoreError(.decode, message: "\(error)")
        }
    }

    /// The error for a failed SQLite call, its kind chosen from the result code.
    init(_ error: DatabaseError) {
        let kind: Kind
        switch error.resultCode {
        case .SQLITE_CONSTRAINT: kind = .constraint
        case .SQLITE_BUSY, .SQLITE_LOCKED: kind = .busy
        case .SQLITE_MISUSE: kind = .misuse
        default: kind = .step
        }
        self.init(kind, sqliteCode: error.extendedResultCode.rawValue, message: error.message ?? "\(error.resultCode)",
                  sql: error.sql)
    }

    /// SQLite's own words for `error` when it is a database error, else its description.
    static func message(of error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        if let error = error as? StoreError { return error.message }
        return "\(error)"
    }
}
