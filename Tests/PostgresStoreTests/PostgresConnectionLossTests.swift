import Dispatch
import Foundation
import PostgresStore
import Store
import TestSupport
import XCTest

/// A connection the server closed (a restart, a terminated backend): the next statement on it ends with
/// `STORE_UNREACHABLE` at once instead of waiting for an answer that never comes, and the pool goes on with new
/// connections.
final class PostgresConnectionLossTests: RepositoryContractTestCase {
    func testAStatementOnAConnectionTheServerClosedFailsInsteadOfWaitingForGood() throws {
        let database = try makePostgresDatabase(name: try createPostgresDatabase())
        defer { database.close() }
        for round in 0..<10 {
            let error = try withinSeconds(10, "round \(round): a statement on a closed connection") {
                try database.withSession { session -> StoreError? in
                    _ = try? session.execute("SELECT pg_terminate_backend(pg_backend_pid())")
                    // Long enough for the channel to be closed and its handlers gone: postgres-nio then drops the
                    // statement's write without failing it.
                    usleep(UInt32(20_000 * (round % 5)))
                    do {
                        try session.execute("SELECT 1")
                        return nil
                    } catch let error as StoreError {
                        return error
                    }
                }
            }
            XCTAssertEqual(error?.kind, .unreachable, "round \(round): \(String(describing: error))")
        }
        let answer = try withinSeconds(10, "a statement after the losses") {
            try database.read { session in try session.query("SELECT 42::BIGINT AS answer").first?.first(Int64.self) }
        }
        XCTAssertEqual(answer, 42, "the pool replaced the lost connections")
    }

    /// Runs `body` on a thread of its own and fails the test if it has not returned within `seconds` (the thread is
    /// then left waiting: the hang is the finding).
    private func withinSeconds<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox<T>()
        Thread.detachNewThread {
            outcome.result = Result { try body() }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success, let result = outcome.result else {
            throw HarnessError("\(what) did not return within \(seconds) s")
        }
        return try result.get()
    }
}

private final class OutcomeBox<T>: @unchecked Sendable {
    // Safety: written once by the worker thread before it signals, read after the wait.
    var result: Result<T, any Error>?
}
