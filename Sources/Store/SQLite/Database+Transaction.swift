import CSQLite

extension Database {
    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` … `COMMIT`, or `ROLLBACK` when `body` throws.
    ///
    /// `IMMEDIATE` takes the write lock up front, so a transaction never fails half-way with `SQLITE_BUSY`
    /// on its first write; it waits up to the busy timeout instead. A nested call becomes a savepoint, so
    /// helpers can open a transaction whether or not their caller already did.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let depth = transactionDepth
        let savepoint = "ddexd_sp\(depth)"
        if depth == 0 {
            try execute("BEGIN IMMEDIATE")
        } else {
            try execute("SAVEPOINT \(savepoint)")
        }
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        let value: T
        do {
            value = try body()
        } catch {
            if depth == 0 {
                // A failed ROLLBACK (e.g. SQLite already rolled back after an I/O error) must not hide `error`.
                if isInTransaction { try? execute("ROLLBACK") }
            } else {
                try? execute("ROLLBACK TO \(savepoint)")
                try? execute("RELEASE \(savepoint)")
            }
            throw error
        }
        if depth == 0 {
            do {
                try execute("COMMIT")
            } catch {
                if isInTransaction { try? execute("ROLLBACK") }
                throw error
            }
        } else {
            try execute("RELEASE \(savepoint)")
        }
        return value
    }
}
