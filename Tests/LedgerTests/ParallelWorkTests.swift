@testable import Ledger
import XCTest

/// Work shared over threads comes back in index order, and the first error stops it.
final class ParallelWorkTests: XCTestCase {
    struct Refused: Error {}

    func testResultsComeBackInIndexOrder() throws {
        for workers in [1, 2, 3, 8] {
            XCTAssertEqual(try ParallelWork.map(count: 1_000, workers: workers) { $0 * $0 }, (0..<1_000).map { $0 * $0 })
        }
        XCTAssertEqual(try ParallelWork.map(count: 0, workers: 4) { $0 }, [])
    }

    func testAnErrorStopsTheWorkAndIsRethrown() {
        XCTAssertThrowsError(try ParallelWork.map(count: 10_000, workers: 3) { i -> Int in
            if i == 17 { throw Refused() }
            return i
        }) { XCTAssertTrue($0 is Refused) }
    }
}
