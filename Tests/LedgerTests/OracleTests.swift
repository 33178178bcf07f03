import DDEXModel
import Foundation
import Ledger
import TestSupport
import XCTest

/// The ledger against dsrgen's independent oracle: 0 mismatches on every case.
final class OracleTests: XCTestCase {
    func testDefaultReportWithUnmatchedLines() throws {
        let set = try Oracle.verify(.seed1)
        XCTAssertFalse(set.unmatched.isEmpty, "dsrgen leaves some tracks out of the catalogue")
        XCTAssertNotEqual(set.result.unmatched, .zero)
    }

    func testTypeErasedInputGivesTheSameResult() throws {
        let folder = GoldenReport.seed9TwoGzipFilesNegative.folder.path
        let store = try Oracle.store(from: folder, accountingCurrency: "EUR")
        let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1500)),
                                      reference: store.referenceData())
        let input = try DSRFlatFileInput(folder: folder, dsp: "spotify")
        let period = try StatementPeriod(parsing: "2020-06")
        let direct = try engine.run(period: period, input: input)
        let erased = try engine.run(period: period, input: AnyLedgerInput(input))
        XCTAssertEqual(direct.payees, erased.payees)
        XCTAssertEqual(direct.total, erased.total)
        XCTAssertEqual(direct.lineCount, erased.lineCount)
        XCTAssertEqual(try engine.run(period: StatementPeriod(parsing: "2020-07"), input: input).summaryCount, 0, "another month has no reports")
    }

    func testSummariesTooLargeToKeepAreReadTwiceWithTheSameResult() throws {
        let folder = GoldenReport.seed9TwoGzipFilesNegative.folder.path
        let store = try Oracle.store(from: folder, accountingCurrency: "EUR")
        let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1500)),
                                      reference: store.referenceData())
        let input = try DSRFlatFileInput(folder: folder, dsp: "spotify")
        let period = try StatementPeriod(parsing: "2020-06")
        let kept = try engine.run(period: period, input: input, options: LedgerRunOptions(readers: 0))
        XCTAssertGreaterThan(kept.summaries.map(\.lines).max() ?? 0, 100, "some summaries exceed the limit")
        // Read twice, read ahead on a thread of their own, both: the same result as one thread keeping every line.
        for options in [LedgerRunOptions(keptLinesLimit: 100, readers: 0), LedgerRunOptions(readers: 2),
                        LedgerRunOptions(keptLinesLimit: 100, readers: 2)] {
            let other = try engine.run(period: period, input: input, options: options)
            XCTAssertEqual(kept.payees, other.payees, "\(options)")
            XCTAssertEqual(kept.unmatchedEntries, other.unmatchedEntries, "\(options)")
            XCTAssertEqual(kept.summaries, other.summaries, "\(options)")
            XCTAssertEqual(kept.accounts, other.accounts, "\(options)")
            XCTAssertEqual(kept.problems, other.problems, "\(options)")
        }
    }

    func testSeveralSeedsMultiFileGzip() throws {
        try Oracle.verify(.seed7ThreeGzipFiles)
        try Oracle.verify(.seed42TwoFilesCRLFPadded)
        try Oracle.verify(.seed9TwoGzipFilesNegative)
    }

    func testNegativeAndZeroUsageSummaries() throws {
        let set = try Oracle.verify(.seed3SpecialSummaries)
        XCTAssertNotEqual(set.result.unallocated, .zero)
        XCTAssertTrue(set.statements.contains { $0.earnings < .zero }, "the reissue payee earns a negative amount")
        if let preview = ProcessInfo.processInfo.environment["LEDGER_HTML_PREVIEW"] {
            try StatementWriter.write(set, format: .html, to: preview + "/oracle", issuer: "Example Music Ltd.")
        }
    }

    func testUsageMismatchIsAWarning() throws {
        let set = try Oracle.verify(.seed5UsageMismatch)
        XCTAssertTrue(set.problems.contains { $0.code == .ledgerUsageMismatch && $0.severity == .warning })
    }

    func testForeignAccountingCurrencyAndCommission() throws {
        try Oracle.verify(.seed11USD, accountingCurrency: "USD", commissionBasisPoints: 2750)
    }
}
