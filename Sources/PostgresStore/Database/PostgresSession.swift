import Dispatch
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
        do {
            return try Self.wait(for: submit(PostgresQuery(unsafeSQL: sql, binds: PostgresBindings(arguments))), on: connection)
        } catch {
            throw StoreError(postgres: error, during: .step, sql: sql)
        }
    }

    /// Waits for `statement`'s answer, or throws `STORE_UNREACHABLE` once the connection closed without one: the
    /// line behind `submit`, for a statement postgres-nio never answers after the connection went away (a thread
    /// waiting for it would wait for good, as seen when PostgreSQL restarted under the daemon).
    ///
    /// The waiting thread looks at the connection every `closeCheckInterval` instead of hanging a callback on its
    /// `closeFuture`: such a callback stays on the connection for as long as it lives, with the answer it held, and
    /// a pooled connection lives for as long as ddexd does (every statement's rows were kept: 200 bytes per line of
    /// a statement run, measured, before this was a wait).
    static func wait<T: Sendable>(for statement: EventLoopFuture<T>, on connection: PostgresConnection) throws -> T {
        let answered = DispatchSemaphore(value: 0)
        statement.whenComplete { _ in answered.signal() }
        while answered.wait(timeout: .now() + closeCheckInterval) == .timedOut {
            guard connection.isClosed else { continue }
            // postgres-nio fails the statements it knows of in the event-loop turn that handles the close; one turn
            // later, a statement still unanswered is one it dropped.
            _ = try? connection.eventLoop.submit {}.wait()
            guard answered.wait(timeout: .now()) == .success else {
                throw StoreError(.unreachable, message: "the connection to the database server closed before it answered")
            }
            break
        }
        return try statement.wait()
    }

    /// How often a thread waiting for an answer looks whether the connection closed.
    static let closeCheckInterval = DispatchTimeInterval.milliseconds(200)

    /// Sends one statement from the connection's event loop, unless the connection is closed (then
    /// `STORE_UNREACHABLE`). postgres-nio 1.33.2 drops a statement written after the server closed the connection
    /// and NIO removed its handlers: the future never completes, and a thread waiting for it waits for good. On the
    /// event loop the check and the write are one step, so nothing can close the connection in between.
    func submit(_ query: PostgresQuery) -> EventLoopFuture<PostgresQueryResult> {
        let connection = connection, logger = logger
        return connection.eventLoop.flatSubmit {
            guard !connection.isClosed else {
                return connection.eventLoop.makeFailedFuture(
                    StoreError(.unreachable, message: "the database server closed the connection"))
            }
            return connection.query(query, logger: logger)
        }
    }
}

extension PostgresBindings {
    /// The bindings of `arguments`, `$1` first; nil is SQL NULL.
    init(_ arguments: [(any PostgresDynamicTypeEncodable)?]) {
        self.init(capacity: arguments.count)
        for argument in arguments {
            if let argument { append(argument) } else { appendNull() }
        }
    }
}
