import Logging
import PostgresNIO
import Store

/// One connection lent by `PostgresDatabase` for one unit of work: statements with `$1, $2, …` arguments, rows read
/// by column name. Blocking; valid only inside the closure it was passed to.
public struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs one statement with its arguments and returns its rows. `nil` arguments are SQL NULL.
    @discardableResult
    public func query(_ sql: String, _ arguments: [(any PostgresDynamicTypeEncodable)?] = []) throws(StoreError) -> [PostgresStoredRow] {
        let result = try run(sql, arguments)
        return result.rows.map { PostgresStoredRow($0.makeRandomAccess()) }
    }

    /// Runs one statement and returns how many rows it inserted, changed or deleted.
    @discardableResult
    public func execute(_ sql: String, _ arguments: [(any PostgresDynamicTypeEncodable)?] = []) throws(StoreError) -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    /// Runs several statements separated by `;`, one after another (the migrations' SQL). postgres-nio speaks only
    /// the extended protocol, which takes one statement at a time.
    public func script(_ sql: String) throws(StoreError) {
        for statement in SQLScript.statements(in: sql) {
            try execute(statement)
        }
    }

    /// Runs one statement and returns its whole result (the rows postgres-nio decoded, for readers that take their
    /// cells without `PostgresStoredRow`).
    func run(_ sql: String, _ arguments: [(any PostgresDynamicTypeEncodable)?]) throws(StoreError) -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            if let argument { bindings.append(argument) } else { bindings.appendNull() }
        }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).wait()
        } catch {
            throw StoreError(postgres: error, during: .step, sql: sql)
        }
    }
}
