import DDEXModel
import Foundation
import Ledger
import TestSupport
import XCTest

/// The ledger against dsrgen's independent oracle: 0 mismatches on every case.
final class OracleTests: XCTestCase {
    func testDefaultReportWithUnmatchedLines() throws {
        let set = try Oracle.verify(["--lines", "3000", "--seed", "1"])
        XCTAssertFalse(set.unmatched.isEmpty, "dsrgen leaves some tracks out of the catalogue")
        XCTAssertNotEqual(set.result.unmatched, .zero)
    }

    func testTypeErasedInputGivesTheSameResult() throws {
        let dir = try TemporaryDirectory(prefix: "ledger-erased")
        try Oracle.generate(into: dir.path, ["--lines", "500", "--seed", "9", "--negative-summary"])
        let store = try Oracle.store(from: dir.path, accountingCurrency: "EUR")
        let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1500)),
                                      reference: store.referenceData())
        let input = try DSRFlatFileInput(folder: dir.path, dsp: "spotify")
        let period = try StatementPeriod(parsing: "2020-06")
        let direct = try engine.run(period: period, input: input)
        let erased = try engine.run(period: period, input: AnyLedgerInput(input))
        XCTAssertEqual(direct.payees, erased.payees)
        XCTAssertEqual(direct.total, erased.total)
        XCTAssertEqual(direct.lineCount, erased.lineCount)
        XCTAssertEqual(try engine.run(period: StatementPeriod(parsing: "2020-07"), input: input).summaryCount, 0, "another month has no reports")
    }

    func testSeveralSeedsMultiFileGzip() throws {
        try Oracle.verify(["--lines", "3000", "--seed", "7", "--files", "3", "--gzip"])
        try Oracle.verify(["--lines", "2000", "--seed", "42", "--files", "2", "--crlf", "--pad"])
    }

    func testNegativeAndZeroUsageSummaries() throws {
        let set = try Oracle.verify(["--lines", "3000", "--seed", "3", "--negative-summary", "--zero-usage-summary"])
        XCTAssertNotEqual(set.result.unallocated, .zero)
        XCTAssertTrue(set.statements.contains { $0.earnings < .zero }, "the reissue payee earns a negative amount")
        if let preview = ProcessInfo.processInfo.environment["LEDGER_HTML_PREVIEW"] {
            try StatementWriter.write(set, format: .html, to: preview + "/oracle", issuer: "Example Music Ltd.")
        }
    }

    func testUsageMismatchIsAWarning() throws {
        let set = try Oracle.verify(["--lines", "3000", "--seed", "5", "--usage-mismatch"])
        XCTAssertTrue(set.problems.contains { $0.code == .ledgerUsageMismatch && $0.severity == .warning })
    }

    func testForeignAccountingCurrencyAndCommission() throws {
        try Oracle.verify(["--lines", "3000", "--seed", "11", "--accounting-currency", "USD", "--currency", "GBP",
                           "--commission-bp", "2750", "--no-headings"],
                          accountingCurrency: "USD", commissionBasisPoints: 2750)
    }
}
