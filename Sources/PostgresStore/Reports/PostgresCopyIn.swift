import Foundation
import Logging
import NIOCore
import PostgresNIO
import Store

/// One `COPY table (columns) FROM STDIN` on a session's connection, fed from a blocking thread.
///
/// postgres-nio copies in an `async` function; this runs it in a task of its own (on the connection's event loop,
/// guarded by `PostgresCopyGuard` against a connection lost mid-copy) that takes buffers from a bounded
/// queue (`COPYQueue`), while the calling thread fills them and waits only when `capacity` buffers are already on
/// their way: the server parses one buffer while the caller encodes the next, and memory stays bounded whatever
/// the number of rows. The caller must end every copy it starts, with `finish` or `abandon`, before it uses the
/// session again: until then the connection is in COPY mode.
final class PostgresCopyIn {
    private let queue: COPYQueue
    private let table: String
    private var ended = false

    /// Starts the copy. Its task runs on the connection's event loop and never blocks it: it only awaits. Each call
    /// into postgres-nio about the copy is made right after `PostgresCopyGuard.ensureOpen`, in the same event-loop
    /// turn, so a connection lost mid-copy ends it with `STORE_UNREACHABLE` instead of stopping the process.
    init(session: PostgresSession, table: String, columns: [String], capacity: Int = 4) {
        let queue = COPYQueue(capacity: capacity)
        self.queue = queue
        self.table = table
        let connection = session.connection
        let logger = session.logger
        let copyGuard = PostgresCopyGuard(connection: connection, table: table)
        copyGuard.run {
            let watchdog = copyGuard.watch(queue)
            defer { watchdog.cancel() }
            do {
                try await copyGuard.ensureOpen()
                try await connection.copyFrom(table: table, columns: columns, format: .text(.init()), logger: logger) { writer in
                    do {
                        while let buffer = try await queue.next() {
                            try await copyGuard.write(buffer, to: writer)
                        }
                    } catch {
                        // `copyFrom` answers a throw with `CopyFail`: the same check as before a write.
                        try await copyGuard.ensureOpen()
                        throw error
                    }
                    // ... and a return with `CopyDone`.
                    try await copyGuard.ensureOpen()
                }
                queue.end(.success(()))
            } catch {
                queue.end(.failure(error))
            }
        }
    }

    deinit {
        // A copy left open would keep its connection in COPY mode for good.
        if !ended { abandon() }
    }

    /// Hands rows to the copy, waiting while `capacity` buffers are still on their way. Throws the copy's error
    /// (`STORE_*`) once the server refused it.
    func send(_ rows: ByteBuffer) throws(StoreError) {
        guard rows.readableBytes > 0 else { return }
        do {
            try queue.put(rows)
        } catch {
            throw StoreError(postgres: error, during: .step, sql: "COPY \(table) FROM STDIN")
        }
    }

    /// Ends the copy and waits for the server's answer: returns once every row is in the table (in the session's
    /// transaction), throws its error otherwise.
    func finish() throws(StoreError) {
        ended = true
        if case .failure(let error) = queue.close() {
            throw StoreError(postgres: error, during: .step, sql: "COPY \(table) FROM STDIN")
        }
    }

    /// Ends the copy with a failure (nothing of it stays) and waits until the connection is out of COPY mode.
    func abandon() {
        ended = true
        _ = queue.close(failing: CancellationError())
    }
}

/// The bounded queue between the blocking thread that fills buffers and the task that copies them.
final class COPYQueue: @unchecked Sendable {
    // Safety: every property below is read and written with `condition` locked.
    private let condition = NSCondition()
    private let capacity: Int
    private var buffers: [ByteBuffer] = []
    /// The task waiting for a buffer.
    private var waiting: CheckedContinuation<ByteBuffer?, any Error>?
    /// Set by the thread: no more buffers, or the copy must fail.
    private var closed = false
    private var failure: (any Error)?
    /// Set by the task: how the copy ended.
    private var outcome: Result<Void, any Error>?

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// The thread's side: waits while the queue is full; throws once the copy ended (it failed).
    func put(_ buffer: ByteBuffer) throws {
        condition.lock()
        while buffers.count >= capacity, outcome == nil { condition.wait() }
        if let outcome {
            condition.unlock()
            if case .failure(let error) = outcome { throw error }
            throw StoreError(.misuse, message: "rows were sent to a COPY that had ended")
        }
        if let task = waiting {
            waiting = nil
            condition.unlock()
            task.resume(returning: buffer)
            return
        }
        buffers.append(buffer)
        condition.unlock()
    }

    /// The thread's side: no more buffers (or, with `failing`, the copy must fail); waits for the copy's end.
    func close(failing error: (any Error)? = nil) -> Result<Void, any Error> {
        condition.lock()
        closed = true
        if let error { failure = error }
        let task = buffers.isEmpty || error != nil ? waiting : nil
        if task != nil { waiting = nil }
        condition.unlock()
        if let task {
            if let error { task.resume(throwing: error) } else { task.resume(returning: nil) }
        }
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
        return outcome!
    }

    /// The task's side: the next buffer, nil once the thread closed the queue, or the thread's failure.
    func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { task in
            condition.lock()
            if let failure {
                condition.unlock()
                task.resume(throwing: failure)
            } else if !buffers.isEmpty {
                let buffer = buffers.removeFirst()
                condition.broadcast()
                condition.unlock()
                task.resume(returning: buffer)
            } else if closed {
                condition.unlock()
                task.resume(returning: nil)
            } else {
                waiting = task
                condition.unlock()
            }
        }
    }

    /// The task's side (or `PostgresCopyGuard.watch`'s): how the copy ended. The first end counts.
    func end(_ result: Result<Void, any Error>) {
        condition.lock()
        if outcome == nil { outcome = result }
        condition.broadcast()
        condition.unlock()
    }
}
