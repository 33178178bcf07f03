import DDEXConfig
import Delivery
import XCTest

final class RetryPolicyTests: XCTestCase {
    func testBackoffDoublesUpToTheCapAndStopsAtTheBudget() {
        let policy = RetryPolicy(maxAttempts: 6, initialDelaySeconds: 10, maxDelaySeconds: 60)
        let upper = { (range: ClosedRange<Double>) in range.upperBound }
        XCTAssertEqual(policy.delay(afterFailedAttempts: 1, random: upper), 10)
        XCTAssertEqual(policy.delay(afterFailedAttempts: 2, random: upper), 20)
        XCTAssertEqual(policy.delay(afterFailedAttempts: 3, random: upper), 40)
        XCTAssertEqual(policy.delay(afterFailedAttempts: 4, random: upper), 60)
        XCTAssertEqual(policy.delay(afterFailedAttempts: 5, random: upper), 60)
        XCTAssertNil(policy.delay(afterFailedAttempts: 6, random: upper), "budget spent")
        XCTAssertNil(policy.delay(afterFailedAttempts: 0, random: upper))
    }

    func testJitterStaysWithinHalfToFullDelay() {
        let policy = RetryPolicy(maxAttempts: 100, initialDelaySeconds: 30, maxDelaySeconds: 3600)
        for attempt in 1..<99 {
            let d = policy.delay(afterFailedAttempts: attempt)!
            let base = min(3600, 30 * pow(2, Double(min(attempt - 1, 62))))
            XCTAssertGreaterThanOrEqual(d, base / 2)
            XCTAssertLessThanOrEqual(d, base)
        }
    }
}
