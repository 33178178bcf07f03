import DDEXRuntime
import Foundation
import XCTest

final class BlockingPoolTests: XCTestCase {
    /// Blocking work is sized to the pool, not to the cores: eight one-second blocking calls on eight threads
    /// take about one second on a two-core machine (GCD's concurrentPerform took four).
    func testBlockingCallsRunInParallelUpToThePoolSize() async throws {
        let pool = BlockingPool(name: "test", threads: 8)
        defer { pool.shutdown() }
        let start = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try await pool.run { Thread.sleep(forTimeInterval: 1) } } }
            try await group.waitForAll()
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2.5)
    }

    func testResultsAndErrorsComeBack() async throws {
        let pool = BlockingPool(name: "test", threads: 1)
        defer { pool.shutdown() }
        let value = try await pool.run { 6 * 7 }
        XCTAssertEqual(value, 42)
        struct Boom: Error {}
        do {
            _ = try await pool.run { () throws -> Int in throw Boom() }
            XCTFail("expected an error")
        } catch is Boom {}
    }

    /// A job cancelled while it waits for a thread never runs; one cancelled while it runs returns at once.
    func testCancellationBeforeAndDuringTheJob() async throws {
        let pool = BlockingPool(name: "test", threads: 1)
        defer { pool.shutdown() }
        let ran = Locked(false)
        let blocker = Task { try await pool.run { Thread.sleep(forTimeInterval: 1.5) } }
        try await Task.sleep(for: .milliseconds(100))
        let queued = Task { try await pool.run { ran.withLock { $0 = true } } }
        try await Task.sleep(for: .milliseconds(100))
        queued.cancel()
        let start = Date()
        blocker.cancel()
        do { try await blocker.value; XCTFail("expected cancellation") } catch is CancellationError {}
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5, "a running job's caller does not wait for it")
        do { try await queued.value; XCTFail("expected cancellation") } catch is CancellationError {}
        try await Task.sleep(for: .seconds(1.6))
        XCTAssertFalse(ran.current, "the queued job never ran")
        let after = try await pool.run { 1 }
        XCTAssertEqual(after, 1, "the pool goes on")
    }

    func testWakeupCoalescesKicksAndTimesOut() async {
        let wakeup = Wakeup()
        wakeup.kick()
        wakeup.kick()
        var start = Date()
        await wakeup.wait(atMost: .seconds(5))
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "a kick before the wait is kept")
        start = Date()
        await wakeup.wait(atMost: .milliseconds(200))
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.15, "two kicks count as one")
        let waiter = Task { await wakeup.wait(atMost: .seconds(10)) }
        try? await Task.sleep(for: .milliseconds(50))
        start = Date()
        wakeup.kick()
        await waiter.value
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
    }
}
