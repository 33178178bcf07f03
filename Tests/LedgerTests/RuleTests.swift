import DDEXModel
import Foundation
@testable import Ledger
import XCTest

final class RuleTests: XCTestCase {
    // MARK: Largest remainder (§2, §5)

    func testLargestRemainderWorkedExamples() {
        XCTAssertEqual(LargestRemainder.allocate(100, weights: [1, 1, 1]), [34, 33, 33], "ties go to the earlier line")
        XCTAssertEqual(LargestRemainder.allocate(-100, weights: [1, 1, 1]), [-34, -33, -33], "negative: allocate |A| and negate")
        XCTAssertEqual(LargestRemainder.allocate(10, weights: [3334, 3333, 3333]), [4, 3, 3])
        XCTAssertEqual(LargestRemainder.allocate(5, weights: [2, 3, 5]), [1, 2, 2], "remainders 0, 5, 5: the tie goes to the earlier")
        XCTAssertEqual(LargestRemainder.allocate(2, weights: [1, 5, 1, 5]), [0, 1, 0, 1], "largest remainders first, not earliest")
        XCTAssertEqual(LargestRemainder.allocate(7, weights: [1, 2, 4]), [1, 2, 4])
        XCTAssertEqual(LargestRemainder.allocate(0, weights: [1, 2]), [0, 0])
        XCTAssertEqual(LargestRemainder.allocate(3, weights: [0, 1, 0]), [0, 3, 0])
        XCTAssertNil(LargestRemainder.allocate(5, weights: [0, 0]), "U = 0 cannot be allocated")
    }

    func testAllocationBeyond64BitProducts() {
        // |A|·u ≈ 2^93: the products need 128 bits.
        let a = Int64.max
        XCTAssertEqual(LargestRemainder.allocate(a, weights: [3_000_000_000, 1_000_000_000]),
                       [6_917_529_027_641_081_855, 2_305_843_009_213_693_952])
        XCTAssertEqual(LargestRemainder.allocate(a, weights: [1, 1]), [4_611_686_018_427_387_904, 4_611_686_018_427_387_903])
        XCTAssertEqual(LargestRemainder.allocate(-a, weights: [1, 1]), [-4_611_686_018_427_387_904, -4_611_686_018_427_387_903])
        var usages: [UInt64] = [3_000_000_000, 1_000_000_000]
        var overflow = false
        var allocation = SummaryAllocation.prepare(amount: a, usages: &usages, overflow: &overflow)!
        XCTAssertEqual(allocation.share(usages: 3_000_000_000), 6_917_529_027_641_081_855)
        XCTAssertEqual(allocation.share(usages: 1_000_000_000), 2_305_843_009_213_693_952)
        var huge: [UInt64] = [UInt64.max, 1]
        XCTAssertNil(SummaryAllocation.prepare(amount: 1, usages: &huge, overflow: &overflow))
        XCTAssertTrue(overflow, "U overflowing 64 bits is reported, not wrapped")
    }

    /// The linear-time summary allocation equals the sorting reference on many random cases, ties included.
    func testSummaryAllocationMatchesReference() {
        var rng = SplitMix(seed: 99)
        for round in 0..<400 {
            let n = Int(rng.next() % 60) + 1
            let spread = [2, 5, 1000, 2_000_000_000][round % 4]
            let weights = (0..<n).map { _ in rng.next() % UInt64(spread) }
            let amount = Int64(bitPattern: rng.next()) >> (round % 3 == 0 ? 1 : 20)
            var scratch = weights
            var overflow = false
            guard var allocation = SummaryAllocation.prepare(amount: amount, usages: &scratch, overflow: &overflow) else {
                XCTAssertEqual(weights.reduce(0, +), 0)
                continue
            }
            let shares = weights.map { allocation.share(usages: $0) }
            XCTAssertEqual(shares, LargestRemainder.allocate(amount, weights: weights), "round \(round)")
            XCTAssertEqual(shares.reduce(0, +), amount)
        }
    }

    /// The ledger's allocation-free split (a track's payees, Σ = 10000 bp) equals the reference on random splits,
    /// ties and negative amounts included.
    func testAllocateFewMatchesTheReference() {
        var rng = SplitMix(seed: 17)
        var out = [Int64](repeating: 0, count: 12)
        var scratch = [UInt64](repeating: 0, count: 12)
        for round in 0..<2000 {
            let n = Int(rng.next() % 12) + 1
            var weights = (0..<n).map { _ in rng.next() % 10_000 }
            let sum = weights.reduce(0, +)
            weights = weights.map { sum == 0 ? 0 : $0 * 10_000 / sum }
            weights[0] += 10_000 - weights.reduce(0, +)
            let amount = Int64(bitPattern: rng.next()) >> [1, 20, 50][round % 3]
            LargestRemainder.allocateFew(amount, weights: weights[...], total: 10_000, into: &out, scratch: &scratch)
            XCTAssertEqual(Array(out[0..<n]), LargestRemainder.allocate(amount, weights: weights), "round \(round): \(weights)")
        }
        LargestRemainder.allocateFew(100, weights: [3334, 3333, 3333], total: 10_000, into: &out, scratch: &scratch)
        XCTAssertEqual(Array(out[0..<3]), [34, 33, 33])
        LargestRemainder.allocateFew(-2, weights: [5000, 5000], total: 10_000, into: &out, scratch: &scratch)
        XCTAssertEqual(Array(out[0..<2]), [-1, -1])
    }

    func testSelection() {
        var rng = SplitMix(seed: 5)
        for _ in 0..<200 {
            let values = (0..<Int(rng.next() % 50 + 1)).map { _ in rng.next() % 7 }
            let k = Int(rng.next() % UInt64(values.count))
            var copy = values
            XCTAssertEqual(Selection.kthSmallest(&copy, k), values.sorted()[k])
        }
    }

    // MARK: Money, conversion, commission (§1, §4)

    func testHalfEvenInputRoundingAndConversion() throws {
        XCTAssertEqual(try MicroAmount(parsing: "0.0000005").micro, 0)
        XCTAssertEqual(try MicroAmount(parsing: "0.0000015").micro, 2)
        XCTAssertEqual(try MicroAmount(parsing: "0.00000250").micro, 2)
        XCTAssertEqual(try MicroAmount(parsing: "0.00000251").micro, 3)
        XCTAssertEqual(try MicroAmount(parsing: "-0.0000015").micro, -2)
        // 0.0915585 GBP → 91558 micro (half-even), × 1.1455 = 104879.689 → 104880 (dsrgen's S1).
        let rate = try ExchangeRate(parsing: "1.1455")
        XCTAssertEqual(rate.convert(try MicroAmount(parsing: "0.0915585"))?.micro, 104_880)
        let half = try ExchangeRate(parsing: "0.5")
        XCTAssertEqual(half.convert(MicroAmount(micro: 5))?.micro, 2)
        XCTAssertEqual(half.convert(MicroAmount(micro: 7))?.micro, 4)
        XCTAssertEqual(half.convert(MicroAmount(micro: -5))?.micro, -2)
        XCTAssertNil(try ExchangeRate(parsing: "2").convert(MicroAmount(micro: .max)), "overflow is reported, not wrapped")
        XCTAssertEqual(try ExchangeRate(parsing: "0.000000000000000001").description, "0.000000000000000001")
        for bad in ["", "0", "0.000", "-1.2", "1.2.3", "1e5", "1,5", "0.0000000000000000001"] {
            XCTAssertThrowsError(try ExchangeRate(parsing: bad), bad)
        }
    }

    func testCommissionHalfEvenAndPolicy() {
        XCTAssertEqual(CommissionPolicy.commission(on: 10, basisPoints: 1500), 2, "1.5 → 2")
        XCTAssertEqual(CommissionPolicy.commission(on: 30, basisPoints: 1500), 4, "4.5 → 4")
        XCTAssertEqual(CommissionPolicy.commission(on: -30, basisPoints: 1500), -4)
        XCTAssertEqual(CommissionPolicy.commission(on: .max, basisPoints: 10_000), .max, "128-bit product")
        XCTAssertEqual(CommissionPolicy.commission(on: .max, basisPoints: 5_000), 4_611_686_018_427_387_904)
        XCTAssertNil(CommissionPolicy.commission(on: 1, basisPoints: 10_001))
        let policy = CommissionPolicy(defaultBasisPoints: 1500, byAccount: ["indie": 1000], byDSP: ["tidal": 500])
        XCTAssertEqual(policy.basisPoints(account: "other", dsp: "spotify"), 1500)
        XCTAssertEqual(policy.basisPoints(account: "indie", dsp: "spotify"), 1000)
        XCTAssertEqual(policy.basisPoints(account: "indie", dsp: "tidal"), 500, "the DSP's rate overrides the account's")
    }

    // MARK: Recoupment (§6)

    func testRecoupmentCases() {
        func r(_ e: Int64, _ b: Int64) -> [Int64] {
            let x = Recoupment(earnings: MicroAmount(micro: e), openingBalance: MicroAmount(micro: b))
            return [x.recouped.micro, x.closingBalance.micro, x.payable.micro]
        }
        XCTAssertEqual(r(100, 30), [30, 0, 70], "fully recouped, rest payable")
        XCTAssertEqual(r(50, 200), [50, 150, 0], "partly recouped")
        XCTAssertEqual(r(116_837, 116_837), [116_837, 0, 0], "exactly recouped")
        XCTAssertEqual(r(-10, 100), [0, 100, -10], "a negative earner recoups nothing")
        XCTAssertEqual(r(0, 2_500_000_000), [0, 2_500_000_000, 0], "an advance without tracks")
        XCTAssertEqual(r(40, 0), [0, 0, 40])
    }
}

/// A small deterministic generator for property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
