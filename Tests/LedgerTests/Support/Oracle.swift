import DDEXModel
import Foundation
import Ledger
import TestSupport
import XCTest

/// The ledger over a golden dsrgen report (`Fixtures/dsrgen`), checked against its `expected.json`.
enum Oracle {
    /// Imports dsrgen's CSVs into a fresh store.
    static func store(from folder: String, accountingCurrency: String) throws -> InMemoryLedgerStore {
        let store = InMemoryLedgerStore()
        try LedgerImport.importFile(.catalog, path: folder + "/catalog.csv", into: store)
        try LedgerImport.importFile(.splits, path: folder + "/splits.csv", into: store)
        try LedgerImport.importFile(.advances, path: folder + "/advances.csv", into: store, accountingCurrency: accountingCurrency)
        try LedgerImport.importFile(.rates, path: folder + "/rates.csv", into: store)
        return store
    }

    /// Computes the statements of a dsrgen folder with the ledger.
    static func statements(folder: String, period: String = "2020-06", accountingCurrency: String = "EUR",
                           commissionBasisPoints: Int = 1500) throws -> StatementSet
    {
        let store = try store(from: folder, accountingCurrency: accountingCurrency)
        let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: accountingCurrency,
                                                               commission: CommissionPolicy(defaultBasisPoints: commissionBasisPoints)),
                                      reference: store.referenceData())
        let input = try DSRFlatFileInput(folder: folder, dsp: "spotify")
        return try engine.statements(period: StatementPeriod(parsing: period), input: input, store: store)
    }

    /// Computes the report's statements, writes them as JSON and checks them against the oracle, field by
    /// field as `dsrgen.py --verify` does; returns the set for more checks.
    @discardableResult
    static func verify(_ report: GoldenReport, accountingCurrency: String = "EUR", commissionBasisPoints: Int = 1500,
                       file: StaticString = #filePath, line: UInt = #line) throws -> StatementSet
    {
        let dir = try TemporaryDirectory(prefix: "ledger-oracle")
        let set = try statements(folder: report.folder.path, accountingCurrency: accountingCurrency, commissionBasisPoints: commissionBasisPoints)
        let actual = try dir.write(SummaryJSONRenderer.render(set, includeStatements: true), to: "actual.json")
        try OracleCheck.assertMatches(report, actual: actual, file: file, line: line)
        XCTAssertTrue(set.result.invariantHolds, file: file, line: line)
        return set
    }
}
