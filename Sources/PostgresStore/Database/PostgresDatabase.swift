import DDEXConfig
import DDEXRuntime
import Dispatch
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Store

/// The store on a PostgreSQL server (`[store] kind = "postgresql"`): a bounded pool of connections that several
/// ddexd instances share the database through.
///
/// Like `StoreDatabase` it is blocking: `write` and `read` block the calling thread until the transaction is over,
/// so call them from the daemon's `BlockingPool` (or a command's main thread), never from Swift's cooperative pool.
/// The connections' I/O runs on an event loop of this database's own; the calling thread only waits for it.
///
/// **Transactions.** `write` runs its body in one `SERIALIZABLE` transaction and runs it again when PostgreSQL
/// reports a serialization failure or a deadlock: to every repository that is what SQLite's one writer gives, one
/// unit of work after another, now across processes and hosts. `read` sees one committed snapshot
/// (`REPEATABLE READ READ ONLY`). Claims that must skip rows another instance holds (`FOR UPDATE SKIP LOCKED`) use
/// `write(isolation: .readCommitted)`.
///
/// **Faults.** A connection that breaks is dropped and the error is `STORE_UNREACHABLE`; the next unit of work
/// opens a new one, so the database coming back needs no restart. Nothing half-done survives: a transaction that
/// did not commit is rolled back by the server.
public final class PostgresDatabase: Sendable {
    /// How a unit of work sees the others.
    public enum Isolation: String, Sendable {
        /// Each statement sees what was committed before it: row locks (`FOR UPDATE SKIP LOCKED`) do the ordering.
        case readCommitted = "READ COMMITTED"
        /// One snapshot for the whole transaction.
        case repeatableRead = "REPEATABLE READ"
        /// As if every transaction ran alone, one after another; conflicts are retried.
        case serializable = "SERIALIZABLE"
    }

    /// Where and how to connect (never the password).
    public let settings: PostgreSQLSettings
    private let configuration: PostgresConnection.Configuration
    private let group: MultiThreadedEventLoopGroup
    private let idle = Locked<[PostgresConnection]>([])
    private let connectionSlots: DispatchSemaphore
    private let connectionCount = Locked(0)
    private let closed = Locked(false)
    let logger: Logger

    /// How many times `write` runs a body again after a serialization failure or a deadlock.
    static let conflictRetries = 10

    /// Connects to the server `settings` name (reading the password from its `password_file`), checks the
    /// connection, and applies every pending migration of `migrations` under the migration lock.
    ///
    /// Throws `STORE_PASSWORD_FILE`, `STORE_UNREACHABLE`, `STORE_AUTH`, `STORE_TLS`, `STORE_OPEN` (no such
    /// database), `STORE_MIGRATION`, `STORE_SCHEMA_TOO_NEW` or `STORE_SCHEMA_MISMATCH`; nothing is left open.
    public convenience init(settings: PostgreSQLSettings, logger: Logger = Logger(label: "ddexd.store"),
                            migrations: [Migration] = PostgresMigrations.all) throws(StoreError)
    {
        try self.init(settings: settings, logger: logger, migrate: migrations)
    }

    /// Connects without touching the schema (`migrate: nil`), for the tests that build a database of an earlier
    /// version and for `check-config`, which only reports where a database stands.
    public init(settings: PostgreSQLSettings, logger: Logger = Logger(label: "ddexd.store"),
                migrate migrations: [Migration]?) throws(StoreError)
    {
        self.settings = settings
        self.logger = logger
        let password = try PostgresPassword.read(settings.passwordFile)
        configuration = try Self.configuration(settings, password: password)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        connectionSlots = DispatchSemaphore(value: max(1, settings.poolSize))
        do {
            try StoreError.rethrowing { _ = try withSession { session in try session.execute("SELECT 1") } }
            if let migrations {
                try PostgresMigrator(migrations: migrations).migrate(self)
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Closes every connection and stops the event loop. Later calls throw `STORE_MISUSE`.
    public func close() {
        guard closed.withLock({ let was = $0; $0 = true; return !was }) else { return }
        for connection in idle.withLock({ let all = $0; $0 = []; return all }) {
            try? connection.close().wait()
        }
        try? group.syncShutdownGracefully()
    }

    // MARK: units of work

    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws). Under
    /// `.serializable` a body that meets a serialization failure or a deadlock runs again from the start, so it must
    /// only touch the database.
    public func write<T>(isolation: Isolation = .serializable, _ body: (PostgresSession) throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try transaction("BEGIN ISOLATION LEVEL \(isolation.rawValue)", body)
            } catch let error as StoreError where error.isConflict && attempt < Self.conflictRetries {
                attempt += 1
                // A short, growing, jittered pause lets the other transaction finish first.
                let pause = UInt32(min(200_000, 1000 << min(attempt, 8))) + UInt32.random(in: 0..<1000)
                usleep(pause)
            }
        }
    }

    /// Runs `body` in a read-only transaction that sees one committed snapshot.
    public func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// Runs `body` on one connection outside any transaction (the migrator's advisory lock, COPY), the connection
    /// kept for the caller until `body` returns.
    public func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try withConnection { connection, _ in try body(PostgresSession(connection: connection, logger: logger)) }
    }

    private func transaction<T>(_ begin: String, _ body: (PostgresSession) throws -> T) throws -> T {
        // An idle connection the server closed meanwhile (a restart) fails at BEGIN, before anything of the body
        // ran: that one attempt is made again on a new connection.
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try withConnection { connection, reused in
                    let session = PostgresSession(connection: connection, logger: logger)
                    do {
                        try session.execute(begin)
                    } catch let error as StoreError where error.kind == .unreachable && reused && attempts == 1 {
                        throw StaleConnection()
                    }
                    do {
                        let value = try body(session)
                        try session.execute("COMMIT")
                        return value
                    } catch {
                        if !connection.isClosed { _ = try? session.execute("ROLLBACK") }
                        throw error
                    }
                }
            } catch is StaleConnection {
                continue
            }
        }
    }

    private struct StaleConnection: Error {}

    // MARK: the pool

    /// Lends a connection to `body` (and whether it was used before): an idle one if there is one, else a new one,
    /// at most `pool_size` at once. A connection that broke is dropped, not lent again.
    private func withConnection<T>(_ body: (PostgresConnection, _ reused: Bool) throws -> T) throws -> T {
        guard !closed.current else { throw StoreError(.misuse, message: "\(settings.url): the store was closed") }
        connectionSlots.wait()
        defer { connectionSlots.signal() }
        let (connection, reused) = try checkOut()
        do {
            let value = try body(connection, reused)
            checkIn(connection)
            return value
        } catch {
            if connection.isClosed || (error as? StoreError)?.kind == .unreachable || error is StaleConnection {
                try? connection.close().wait()
                connectionCount.withLock { $0 -= 1 }
            } else {
                checkIn(connection)
            }
            throw error
        }
    }

    private func checkOut() throws(StoreError) -> (PostgresConnection, reused: Bool) {
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return (connection, true) }
            connectionCount.withLock { $0 -= 1 }
        }
        return (try connect(), false)
    }

    private func checkIn(_ connection: PostgresConnection) {
        if closed.current {
            try? connection.close().wait()
        } else {
            idle.withLock { $0.append(connection) }
        }
    }

    private func connect() throws(StoreError) -> PostgresConnection {
        let id = connectionCount.withLock { count -> Int in count += 1; return count }
        do {
            return try Self.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch {
            connectionCount.withLock { $0 -= 1 }
            throw StoreError(postgres: error, during: .unreachable, at: settings.url)
        }
    }

    /// How long connecting may take, start-up and authentication included: postgres-nio's `connectTimeout` covers
    /// only the TCP handshake, and a server that accepts but never answers (stopped, overloaded) would hold the
    /// calling thread for good.
    static let connectDeadline: TimeAmount = .seconds(30)

    /// Connects, failing with `STORE_UNREACHABLE` once `connectDeadline` passed; a connection that completes after
    /// that is closed at once.
    private static func connect(on loop: any EventLoop, configuration: PostgresConnection.Configuration, id: Int,
                                logger: Logger) -> EventLoopFuture<PostgresConnection>
    {
        let outcome = loop.makePromise(of: PostgresConnection.self)
        let settled = Locked(false)
        let settle: @Sendable () -> Bool = { settled.withLock { settled in defer { settled = true }; return !settled } }
        let deadline = loop.scheduleTask(in: connectDeadline) {
            if settle() {
                outcome.fail(StoreError(.unreachable, message: "the database server accepted the connection but did not answer within \(connectDeadline.nanoseconds / 1_000_000_000) s"))
            }
        }
        PostgresConnection.connect(on: loop, configuration: configuration, id: id, logger: logger).whenComplete { result in
            deadline.cancel()
            if settle() {
                outcome.completeWith(result)
            } else if case .success(let late) = result {
                let closing: EventLoopFuture<Void> = late.close()
                _ = closing
            }
        }
        return outcome.futureResult
    }

    private static func configuration(_ settings: PostgreSQLSettings, password: String?) throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch settings.tls {
            case .disable:
                tls = .disable
            case .require:
                // Encrypted, server not verified: what libpq's sslmode=require means.
                var client = TLSConfiguration.makeClientConfiguration()
                client.certificateVerification = .none
                tls = .require(try NIOSSLContext(configuration: client))
            case .verifyFull:
                tls = .require(try NIOSSLContext(configuration: TLSConfiguration.makeClientConfiguration()))
            }
        } catch {
            throw StoreError(.tls, message: "\(settings.url): TLS could not be set up: \(error)")
        }
        var configuration = PostgresConnection.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                                             password: password, database: settings.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        if settings.tls == .verifyFull { configuration.options.tlsServerName = settings.host }
        return configuration
    }
}
