import DDEXRuntime
import Logging
import NIOCore
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
            return try Self.answer(to: connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger),
                                   on: connection).wait()
        } catch {
            throw StoreError(postgres: error, during: .step, sql: sql)
        }
    }

    /// The answer to a statement sent on `connection`, or `STORE_UNREACHABLE` once the connection closed.
    ///
    /// postgres-nio hands a statement to its channel with `write(_:promise: nil)`. When the channel closed in the
    /// meantime (the server went away between the pool's check and the write), the handler that would fail the
    /// statement is already gone from the pipeline, the write's error is dropped, and the statement's future never
    /// completes: a thread waiting on it would wait for good (seen when PostgreSQL restarted under the daemon). The
    /// connection's close ends the wait instead. Both complete on the connection's event loop, so an answer that
    /// arrived before the close is never lost.
    static func answer<T: Sendable>(to statement: EventLoopFuture<T>, on connection: PostgresConnection) -> EventLoopFuture<T> {
        let answer = statement.eventLoop.makePromise(of: T.self)
        let settled = Locked(false)
        let settle: @Sendable (Result<T, any Error>) -> Void = { result in
            guard settled.withLock({ settled in defer { settled = true }; return !settled }) else { return }
            answer.completeWith(result)
        }
        statement.whenComplete(settle)
        connection.closeFuture.whenComplete { _ in
            settle(.failure(StoreError(.unreachable, message: "the connection to the database server closed before it answered")))
        }
        return answer.futureResult
    }
}
