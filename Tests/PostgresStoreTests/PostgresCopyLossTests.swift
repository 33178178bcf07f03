import DDEXModel
import DSR
import Foundation
import PostgresStore
import Store
import TestSupport
import XCTest

/// A DSR load whose connection the server closes mid-COPY: postgres-nio 1.33.2 stopped the process there (a
/// precondition in `ConnectionStateMachine.checkBackendCanReceiveCopyData`); `PostgresCopyGuard` turns it into
/// `STORE_UNREACHABLE`. The test process surviving every iteration is the first assertion.
final class PostgresCopyLossTests: PostgresStoreTestCase {
    /// Where in the load the backend is terminated.
    enum Point: CaseIterable {
        /// At the first progress report (2,048 lines in): with small chunks the next COPY starts on a closed
        /// connection, with one big chunk the usage lines' COPY is open and takes its next buffer.
        case early
        /// Half-way: as `early`, with more of the load behind.
        case middle
        /// At the last progress report, from another thread after a random delay: it lands in the last writes,
        /// `CopyDone`, the other tables' COPYs or the statements, or (rarely) after the commit.
        case late

        /// The progress report (0-based) of `count` at which to terminate.
        func report(of count: Int) -> Int {
            switch self {
            case .early: 0
            case .middle: count / 2
            case .late: count - 1
            }
        }
    }

    /// The load's connection dies mid-load, as it does when the server is restarted or the backend terminated:
    /// 12 times at points spread over the load (early, middle, around the last COPYs' end), with small and big
    /// chunks. Each time the error is `STORE_UNREACHABLE`, nothing of the load stays (one transaction), and the
    /// next load stores the report exactly once.
    func testALoadCutShortLeavesNothingAndTheNextStoresOneCopy() throws {
        let (path, lines) = try SyntheticDSRReport.write(lines: 10_000, into: directory.path)
        let files = try report([URL(fileURLWithPath: path)])
        // The loader reports progress every 2,048 lines; the last of those reports may be the one before.
        let reports = lines / 2_048 - 1
        let sqlite = try makeSQLiteStore()
        _ = try DSRReportLoader(writer: sqlite).load(files)
        let expected = StoredDSRRows.counts(try StoredDSRRows.sqlite(sqlite.path))
        var cut = 0
        // Every point with small and big chunks, with and without a pause: 3 × 2 × 2.
        for iteration in 0..<12 {
            let point = Point.allCases[iteration % 3]
            let linesPerChunk = (iteration / 3) % 2 == 0 ? 700 : 32_768
            let context = "iteration \(iteration), \(point), \(linesPerChunk) lines per chunk"
            let database = try makeDatabase(poolSize: 1)
            let killer = try reopen(database, poolSize: 1)
            let before = try StoredDSRRows.postgres(database)
            let terminator = Terminator(killer: killer, database: database.settings.database,
                                        pause: Double(iteration / 6) * 0.02, at: point.report(of: reports))
            let loader = PostgresDSRReportLoader(database: database, linesPerChunk: linesPerChunk)
            var wasCut = false
            do {
                _ = try loader.load(files) { progress in terminator.progress(late: point == .late) }
                XCTAssertEqual(point, .late, "only a late kill may come after the commit; \(context)")
            } catch {
                wasCut = true
                XCTAssertEqual((error as? StoreError)?.kind, .unreachable, "\(context): \(error)")
                XCTAssertEqual((error as? any CodedError)?.code, "STORE_UNREACHABLE", context)
                XCTAssertEqual(try StoredDSRRows.postgres(database), before, "nothing of the cut load; \(context)")
            }
            terminator.wait()
            XCTAssertTrue(terminator.fired, context)
            if wasCut { cut += 1 }
            XCTAssertEqual(try loader.load(files).outcome, wasCut ? .loaded : .alreadyLoaded, context)
            XCTAssertEqual(try loader.load(files).outcome, .alreadyLoaded, context)
            XCTAssertEqual(StoredDSRRows.counts(try StoredDSRRows.postgres(database)), expected, "one copy; \(context)")
            database.close()
            killer.close()
        }
        XCTAssertGreaterThanOrEqual(cut, 8, "the early and middle kills always cut the load")
    }
}

/// Terminates the loading database's other backends once, at progress report `report`, from a pool of its own:
/// in the progress callback (and waits until they are gone, then `pause`), or for a late kill from another thread
/// after a random delay.
private final class Terminator: @unchecked Sendable {
    // Safety: `reports` and `started` are used on the loading thread only; `fired` is read after `wait`.
    private let killer: PostgresDatabase
    private let database: String
    private let pause: TimeInterval
    private let report: Int
    private var reports = 0
    private let done = DispatchSemaphore(value: 0)
    private var started = false
    private(set) var fired = false

    init(killer: PostgresDatabase, database: String, pause: TimeInterval, at report: Int) {
        self.killer = killer
        self.database = database
        self.pause = pause
        self.report = report
    }

    func progress(late: Bool) {
        reports += 1
        guard reports == report + 1 else { return }
        started = true
        guard !late else {
            let delay = Double.random(in: 0...0.03)
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: delay)
                self.terminate()
                self.done.signal()
            }
            return
        }
        terminate()
        Thread.sleep(forTimeInterval: pause)
        done.signal()
    }

    /// Waits until the termination ran.
    func wait() {
        if started { done.wait() }
    }

    private func terminate() {
        let killed = try? killer.withSession { session in
            try session.query("""
                SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
                WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                """, [database]).count
        }
        fired = (killed ?? 0) > 0
    }
}
