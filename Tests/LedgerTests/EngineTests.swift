import DDEXModel
import Foundation
@testable import Ledger
import XCTest

final class EngineTests: XCTestCase {
    static let june = ReportReference(id: "r-june", dsp: "spotify", service: "SpotifyPremium",
                                      usageStart: CivilDate(year: 2026, month: 6, day: 1)!, usageEnd: CivilDate(year: 2026, month: 6, day: 30)!)

    static func reference(catalogue extra: [CatalogueEntry] = []) throws -> LedgerReferenceData {
        let icpn = try ICPN(validating: "1005192837464")
        return try LedgerReferenceData(
            catalogue: [CatalogueEntry(icpn: icpn, isrc: ISRC(validating: "GBAAA2600001"), title: "One", displayArtist: "A", account: "indie"),
                        CatalogueEntry(icpn: icpn, isrc: ISRC(validating: "GBAAA2600002"), title: "Two", displayArtist: "A", account: "indie"),
                        CatalogueEntry(icpn: icpn, isrc: ISRC(validating: "GBAAA2600003"), title: "No split", displayArtist: "A"),
                        CatalogueEntry(icpn: icpn, isrc: ISRC(validating: "GBAAA2600004"), title: "Four", displayArtist: "B", account: "major")] + extra,
            // A payee belongs to one account: P1 and P2 are indie's, P4 is major's.
            splits: [Split(isrc: ISRC(validating: "GBAAA2600001"), shares: [PayeeShare(payee: "P1", basisPoints: 5000), PayeeShare(payee: "P2", basisPoints: 5000)]),
                     Split(isrc: ISRC(validating: "GBAAA2600002"), shares: [PayeeShare(payee: "P2", basisPoints: 10000)]),
                     Split(isrc: ISRC(validating: "GBAAA2600004"), shares: [PayeeShare(payee: "P4", basisPoints: 10000)])],
            rates: [RateEntry(currency: "GBP", period: StatementPeriod(parsing: "2026-06"), rate: ExchangeRate(parsing: "1.5"))],
            resourceMappings: [ResourceMapping(icpn: icpn.value, dspResourceId: "RES-2", isrc: ISRC(validating: "GBAAA2600002"))])
    }

    static func engine(_ policy: CommissionPolicy = CommissionPolicy(defaultBasisPoints: 0)) throws -> LedgerEngine {
        try LedgerEngine(settings: LedgerSettings(accountingCurrency: "EUR", commission: policy), reference: reference())
    }

    static func summary(_ id: String, _ currency: String, _ micro: Int64, rate: String? = nil, total: Int64? = nil,
                        report: ReportReference = june) -> SummaryInput
    {
        SummaryInput(report: report, summaryId: id, commercialModel: "SubscriptionModel", territory: "GB", currency: currency,
                     netRevenue: MicroAmount(micro: micro), exchangeRate: rate.flatMap { try? ExchangeRate(parsing: $0) }, totalUsages: total)
    }

    static func line(_ isrc: String?, _ u: Int64, own: Int64? = nil, resource: String? = nil) -> UsageLine {
        UsageLine(isrc: isrc, releaseICPN: "1005192837464", dspResourceId: resource, usages: u,
                  ownAmount: own.map { MicroAmount(micro: $0) }, useType: "OnDemandStream")
    }

    let june = try! StatementPeriod(parsing: "2026-06")

    func testConversionSourcesAndUnconvertedSummaries() throws {
        let input = MemoryInput(summaries: [
            (Self.summary("S1", "GBP", 1_000_001, rate: "9"), [Self.line("GBAAA2600002", 1)]),   // table rate 1.5 wins over the cell
            (Self.summary("S2", "USD", 1_000_000, rate: "0.9"), [Self.line("GBAAA2600002", 1)]), // the cell, for want of a table rate
            (Self.summary("S3", "SEK", 7_000_000), [Self.line("GBAAA2600002", 3), Self.line("GBAAA2600002", 4)]), // held
        ])
        let result = try Self.engine().run(period: june, input: input)
        XCTAssertEqual(result.summaries.map(\.rateSource), [.table, .summary, .none])
        XCTAssertEqual(result.summaries[0].converted?.micro, 1_500_002, "1.000001 × 1.5 = 1.5000015 → half-even 1.500002")
        XCTAssertEqual(result.summaries[1].converted?.micro, 900_000)
        XCTAssertNil(result.summaries[2].converted)
        XCTAssertEqual(result.unconverted.map(\.summaryId), ["S3"])
        XCTAssertEqual(result.total.micro, 2_400_002, "held summaries stay outside the totals")
        XCTAssertEqual(result.lineCount, 4)
        XCTAssertTrue(result.problems.contains { $0.code == .ledgerSummaryUnconverted })
        XCTAssertTrue(result.invariantHolds)
    }

    func testZeroUsagesGoUnallocatedAndOwnMoneyIsUsedDirectly() throws {
        let input = MemoryInput(summaries: [
            (Self.summary("S1", "EUR", 500, total: 0), [Self.line("GBAAA2600001", 0), Self.line("GBAAA2600002", 0)]),
            (Self.summary("S2", "EUR", 1000, total: 2), [Self.line("GBAAA2600001", 1), Self.line("GBAAA2600002", 5, own: 333), Self.line("GBAAA2600002", 1)]),
            (Self.summary("S3", "GBP", 0), [Self.line("GBAAA2600002", 0, own: 101)]),
        ])
        let result = try Self.engine().run(period: june, input: input)
        XCTAssertEqual(result.unallocated.micro, 500)
        XCTAssertEqual(result.summaries[0].unallocated.micro, 500)
        // S2: 1000 over u = 1, 1 (the own-money line is outside the allocation) + 333 direct; S3: 101 GBP × 1.5 = 151.5 → 152.
        XCTAssertEqual(result.total.micro, 500 + 1000 + 333 + 152)
        let p1 = try XCTUnwrap(result.payees.first { $0.payee == "P1" })
        let p2 = try XCTUnwrap(result.payees.first { $0.payee == "P2" })
        XCTAssertEqual(p1.earnings.micro, 250)
        XCTAssertEqual(p2.earnings.micro, 250 + 333 + 500 + 152)
        XCTAssertFalse(result.problems.contains { $0.code == .ledgerUsageMismatch }, "TotalUsages counts the allocated lines")
    }

    func testMatchingByResourceIdAndUnmatchedBuckets() throws {
        let input = MemoryInput(summaries: [
            (Self.summary("S1", "EUR", 4000), [Self.line(nil, 1, resource: "RES-2"),       // matched through the mapping
                                               Self.line("QZZZZ0000001", 1),                // unknown ISRC
                                               Self.line("GBAAA2600003", 1),                // catalogue track without a split
                                               Self.line(nil, 1, resource: "RES-9")]),      // unknown ICPN/resource
        ])
        let result = try Self.engine().run(period: june, input: input)
        XCTAssertEqual(result.payees.first { $0.payee == "P2" }?.earnings.micro, 1000)
        XCTAssertEqual(result.unmatched.micro, 3000)
        XCTAssertEqual(result.unmatchedEntries.map(\.key), ["1005192837464/RES-9", "GBAAA2600003", "QZZZZ0000001"])
        XCTAssertEqual(result.unmatchedEntries.map(\.reason), [.notInCatalogue, .noSplit, .notInCatalogue])
    }

    func testCommissionPerAccountAndDSP() throws {
        let policy = CommissionPolicy(defaultBasisPoints: 1000, byAccount: ["indie": 2000], byDSP: ["tidal": 500])
        let tidal = ReportReference(id: "r-tidal", dsp: "tidal", service: "Hifi", usageStart: Self.june.usageStart, usageEnd: Self.june.usageEnd)
        let input = MemoryInput(summaries: [
            (Self.summary("S1", "EUR", 10_000), [Self.line("GBAAA2600001", 1), Self.line("GBAAA2600004", 1)]),
            (Self.summary("S1", "EUR", 10_000, report: tidal), [Self.line("GBAAA2600001", 1)]),
        ])
        let result = try Self.engine(policy).run(period: june, input: input)
        // indie track 5000 × 20% = 1000; major track (default) 5000 × 10% = 500; tidal 10000 × 5% = 500.
        XCTAssertEqual(result.commission.micro, 2000)
        XCTAssertEqual(result.reportCount, 2)
        XCTAssertEqual(result.accounts.map(\.account), ["default", "indie", "major"], "every account of the catalogue")
        let indie = try XCTUnwrap(result.accounts.first { $0.account == "indie" })
        XCTAssertEqual(indie.byDSP["tidal"]?.micro, 10_000)
        XCTAssertEqual(indie.byDSP["spotify"]?.micro, 5_000)
        XCTAssertEqual(indie.commission.micro, 1500)
        XCTAssertEqual(indie.byPayee["P1"]?.micro, 2000 + 4750)
        // The same figures without the breakdown: per account, lines, amounts and commission add up on their own.
        let figures = try Self.engine(policy).run(period: june, input: input, options: LedgerRunOptions(collectDetail: false)).accountFigures
        XCTAssertEqual(figures.map(\.account), ["default", "indie", "major"])
        XCTAssertEqual(figures.map(\.lines), [0, 2, 1])
        XCTAssertEqual(figures.map(\.total.micro), [0, 15_000, 5_000])
        XCTAssertEqual(figures.map(\.commission.micro), [0, 1500, 500])
        XCTAssertEqual(figures.map(\.commissionBasisPoints), [1000, 2000, 1000])
        XCTAssertEqual(figures.map(\.payees), [[], ["P1", "P2"], ["P4"]])
    }

    func testSplitTiesGoToTheEarlierPayeeAndNegativeNetIsNegated() throws {
        let input = MemoryInput(summaries: [
            (Self.summary("S1", "EUR", 3), [Self.line("GBAAA2600001", 1)]),
            (Self.summary("S2", "EUR", -1), [Self.line("GBAAA2600001", 1)]),
        ])
        let result = try Self.engine().run(period: june, input: input)
        // 3 → P1 2, P2 1; −1 → P1 −1, P2 0.
        XCTAssertEqual(result.payees.map(\.earnings.micro), [1, 1, 0], "P1, P2 and major's P4")
    }

    func testPeriodSelectsReports() throws {
        let july = ReportReference(id: "r-july", dsp: "spotify", service: "S", usageStart: CivilDate(year: 2026, month: 7, day: 1)!,
                                   usageEnd: CivilDate(year: 2026, month: 7, day: 31)!)
        let input = MemoryInput(summaries: [
            (Self.summary("S1", "EUR", 100), [Self.line("GBAAA2600002", 1)]),
            (Self.summary("S1", "EUR", 300, report: july), [Self.line("GBAAA2600002", 1)]),
        ])
        let engine = try Self.engine()
        XCTAssertEqual(try engine.run(period: june, input: input).total.micro, 100)
        XCTAssertEqual(try engine.run(period: StatementPeriod(parsing: "2026-Q3"), input: input).total.micro, 300)
        XCTAssertEqual(try engine.run(period: StatementPeriod(parsing: "2026"), input: input).total.micro, 400)
        XCTAssertEqual(try engine.run(period: StatementPeriod(parsing: "2026-06-01--2026-07-15"), input: input).total.micro, 100)

        // Period over period in the July overview, and recoupment carried from June to July.
        let store = InMemoryLedgerStore()
        try store.importAdvances([Advance(payee: "P2", currency: "EUR", amount: MicroAmount(micro: 250))])
        let juneSet = try engine.statements(period: june, input: input, store: store)
        XCTAssertEqual(juneSet.statements.first { $0.payee == "P2" }?.recoupment.closingBalance.micro, 150)
        try store.recordRecoupment(period: june, recouped: juneSet.recouped)
        let julySet = try engine.statements(period: StatementPeriod(parsing: "2026-07"), input: input, store: store)
        let p2 = try XCTUnwrap(julySet.statements.first { $0.payee == "P2" })
        XCTAssertEqual(p2.recoupment.openingBalance.micro, 150)
        XCTAssertEqual(p2.recoupment.recouped.micro, 150)
        XCTAssertEqual(p2.recoupment.payable.micro, 150)
        let overview = try XCTUnwrap(julySet.rosters.first { $0.account == "indie" })
        XCTAssertEqual(overview.previousPeriod?.description, "2026-06")
        XCTAssertEqual(overview.previousGross?.micro, 100)
        XCTAssertEqual(overview.dsps.first?.previous?.micro, 100)
        XCTAssertTrue(StatementHTMLRenderer.render(overview).contains("+200.0%"))
    }

    func testBrokenRuleFailsLoudly() throws {
        let input = MemoryInput(summaries: [
            (Self.summary("S1", "EUR", 1_000), [Self.line("GBAAA2600001", 1), Self.line("GBAAA2600002", 2)]),
            (Self.summary("S2", "EUR", 77), [Self.line("GBAAA2600001", 0)]),
        ])
        for fault in [LedgerEngine.Fault.dropPayeeMicro, .skipUnallocated] {
            let engine = try Self.engine()
            XCTAssertNoThrow(try engine.run(period: june, input: input))
            engine.fault = fault
            XCTAssertThrowsError(try engine.run(period: june, input: input), "\(fault)") { error in
                let e = error as? LedgerError
                XCTAssertEqual(e?.code, "LEDGER_INVARIANT_BROKEN")
                XCTAssertTrue(e?.description.contains("no statement is produced") == true, e?.description ?? "")
            }
        }
    }

    func testInputThatChangesBetweenPassesIsRejected() throws {
        struct Flaky: LedgerInput {
            final class Lines: LineSequence {
                var walks = 0
                func forEachLine(_ body: (UsageLine) throws -> Void) throws {
                    walks += 1
                    try body(EngineTests.line("GBAAA2600001", walks == 1 ? 1 : 2))
                }
            }
            func forEachSummary(in period: StatementPeriod, _ body: (SummaryInput, Lines) throws -> Void) throws {
                try body(EngineTests.summary("S1", "EUR", 10), Lines())
            }
        }
        // Only a summary too large to keep is read twice; read ahead or not, the change is caught.
        for readers in [0, 2] {
            XCTAssertThrowsError(try Self.engine().run(period: june, input: Flaky(), options: LedgerRunOptions(keptLinesLimit: 0, readers: readers))) {
                XCTAssertEqual(($0 as? LedgerError)?.code, "LEDGER_INPUT_INCONSISTENT")
            }
            XCTAssertNoThrow(try Self.engine().run(period: june, input: Flaky(), options: LedgerRunOptions(readers: readers)))
        }
    }

    func testOverflowIsAnErrorNotACrash() throws {
        let input = MemoryInput(summaries: [
            (Self.summary("S1", "EUR", .max), [Self.line("GBAAA2600001", 1)]),
            (Self.summary("S2", "EUR", .max), [Self.line("GBAAA2600001", 1)]),
        ])
        XCTAssertThrowsError(try Self.engine().run(period: june, input: input)) {
            XCTAssertEqual(($0 as? LedgerError)?.code, "LEDGER_AMOUNT_OVERFLOW")
        }
    }

    /// Read ahead on its own thread, an error on either side stops the run with that error and the reader: the
    /// rules failing while the reader has many summaries left, and the reader failing while the rules run.
    func testAnErrorOnEitherThreadStopsTheRun() throws {
        var many = [(Self.summary("S0", "EUR", .max), [Self.line("GBAAA2600001", 1)]),
                    (Self.summary("S1", "EUR", .max), [Self.line("GBAAA2600001", 1)])]
        for i in 2..<200 { many.append((Self.summary("S\(i)", "EUR", 1_000_000), (0..<100).map { _ in Self.line("GBAAA2600001", 3) })) }
        for keptLinesLimit in [2_000_000, 10] {
            XCTAssertThrowsError(try Self.engine().run(period: june, input: MemoryInput(summaries: many),
                                                       options: LedgerRunOptions(keptLinesLimit: keptLinesLimit, readers: 2))) {
                XCTAssertEqual(($0 as? LedgerError)?.code, "LEDGER_AMOUNT_OVERFLOW")
            }
        }
        var broken = (0..<50).map { i in (Self.summary("S\(i)", "EUR", 1_000_000), (0..<100).map { _ in Self.line("GBAAA2600001", 3) }) }
        broken[40].1[7] = Self.line("GBAAA2600001", -1)
        XCTAssertThrowsError(try Self.engine().run(period: june, input: MemoryInput(summaries: broken), options: LedgerRunOptions(readers: 2))) {
            XCTAssertEqual(($0 as? LedgerError)?.code, "LEDGER_INPUT_INCONSISTENT")
            XCTAssertTrue(($0 as? LedgerError)?.description.contains("summary S40") == true, "\($0)")
        }
        broken[40].1[7] = Self.line("GBAAA2600001", 3)
        XCTAssertEqual(try Self.engine().run(period: june, input: MemoryInput(summaries: broken)).lineCount, 5_000)
    }

    func testSplitsNotSummingTo10000AreRefused() throws {
        var reference = try Self.reference()
        reference.splits[0].shares[0].basisPoints = 4999
        XCTAssertThrowsError(try LedgerEngine(settings: LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 0)),
                                              reference: reference)) {
            XCTAssertEqual(($0 as? LedgerError)?.code, "LEDGER_SPLIT_SUM")
        }
    }
}
