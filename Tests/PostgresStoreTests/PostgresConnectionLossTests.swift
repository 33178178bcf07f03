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

    /// Watching for a close must not keep what a statement returned: a pooled connection lives as long as ddexd,
    /// and a statement run reads millions of rows through one (200 bytes per line were kept, measured, while every
    /// wait hung a callback on the connection's close).
    func testWaitingForAnswersKeepsNothingOfThemOnTheConnection() throws {
        let database = try makePostgresDatabase(name: try createPostgresDatabase())
        defer { database.close() }
        let statement = "SELECT repeat('x', 100000) AS cell FROM generate_series(1, 20)" // 2 MB per answer
        func sizeAfterward() throws -> Int {
            try database.withSession { session in
                for _ in 0..<100 { XCTAssertEqual(try session.query(statement).count, 20) }
            }
            return residentBytes()
        }
        let warm = try sizeAfterward()
        let grown = try sizeAfterward() - warm
        XCTAssertLessThan(grown, 50 << 20, "100 answers of 2 MB on one connection grew the process by \(grown >> 20) MB")
    }

    /// This process's resident memory, from `/proc/self/statm`.
    private func residentBytes() -> Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
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
