import NIOCore
import PostgresNIO
import Store

/// Keeps a COPY's writes away from a connection that is gone, where postgres-nio 1.33.2 would stop the process.
///
/// **The fault.** Once the server closed the connection (`pg_terminate_backend`, a restart, a reset), the channel
/// goes inactive and postgres-nio's connection state machine moves to `.closed` (or `.closing` when it closes the
/// channel itself). From then until NIO removes the channel's handlers (one event-loop task later, when
/// `closeFuture` completes), each of `PostgresCopyFromWriter.write` (through
/// `ConnectionStateMachine.checkBackendCanReceiveCopyData`), the `CopyDone` that `copyFrom` sends when the
/// closure returns and the `CopyFail` it sends when the closure throws meets
/// `preconditionFailure("Copy mode is only supported for extended queries")`. After the handlers are gone the same
/// calls fail with an error instead (the handler's context is nil).
///
/// **The guard.** The copy's task runs on the connection's event loop (`EventLoopTaskExecutor`), where those calls
/// reach the state machine synchronously. Right before each of them `ensureOpen` reads `isClosed` (the channel
/// not active) in the same event-loop turn, so the state cannot change between the check and the call; if the
/// channel is closed it first waits for `closeFuture`, so that whatever postgres-nio does next meets removed
/// handlers and throws, then throws `STORE_UNREACHABLE`. "The same turn" rests on Swift running a call from one
/// nonisolated async function to another inline when the task's executor stays the same (no `await` suspends in
/// between); `ensureOpen` checks at least that it is on the event loop.
///
/// **What stays uncovered** (faults of the library, not reachable from here):
/// - `.closing` while the channel is still active: postgres-nio closes the channel itself after a second error
///   (or `close()` from elsewhere), and a TLS handler holds the close back until its `close_notify` exchange
///   ends. The channel is not public, so no handler of ours can sit in its pipeline to see that close; on plain
///   TCP the channel goes inactive in the same call, so the window exists only with TLS.
/// - A write that waits for the channel to drain (`.pendingBackpressureRelieve`) when the server closes: the
///   library drops that write's promise, so a debug build stops ("leaking promise") and a release build never
///   answers that write. `watch` keeps the loading thread from waiting for it for good: the copy's task stays
///   suspended (a leak of one task and its buffers), the load fails with `STORE_UNREACHABLE`.
struct PostgresCopyGuard: Sendable {
    let connection: PostgresConnection
    let table: String

    /// Runs `body` in a task whose nonisolated code, postgres-nio's `copyFrom` and its writer included, runs on
    /// the connection's event loop.
    func run(_ body: @escaping @Sendable () async -> Void) {
        let executor = EventLoopTaskExecutor(connection.eventLoop)
        Task(executorPreference: executor) { await body() }
    }

    /// Ends `queue` with `STORE_UNREACHABLE` once the connection has been closed for a second while the copy's task
    /// has not ended it (a write the library never answers, above); the first end of a queue wins. Cancel the
    /// returned task when the copy ends.
    func watch(_ queue: COPYQueue) -> RepeatedTask {
        let connection = connection, error = unreachable
        return connection.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { task in
            guard connection.isClosed else { return }
            queue.end(.failure(error))
            task.cancel()
        }
    }

    /// Writes one buffer, unless the connection is closed.
    func write(_ buffer: ByteBuffer, to writer: PostgresCopyFromWriter) async throws {
        try await ensureOpen()
        try await writer.write(buffer)
    }

    /// Returns when postgres-nio may be called about this copy (`write`, `CopyDone`, `CopyFail`) without meeting
    /// the precondition, and throws `STORE_UNREACHABLE` once the connection is closed. Call it right before the
    /// call it protects, with no `await` in between.
    func ensureOpen() async throws {
        connection.eventLoop.preconditionInEventLoop()
        guard connection.isClosed else { return }
        try? await connection.closeFuture.get()
        throw unreachable
    }

    private var unreachable: StoreError {
        StoreError(.unreachable, message: "the database server closed the connection during COPY \(table)",
                   sql: "COPY \(table) FROM STDIN")
    }
}

/// A task executor that runs its jobs on one NIO event loop (swift-nio 2.101 has none of its own).
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
