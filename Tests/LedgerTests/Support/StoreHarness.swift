import DDEXModel
import DSR
import Foundation
import Ledger
import Store
import TestSupport
import XCTest

/// A statement run end to end through the product's code: a golden dsrgen report's files loaded by the store's DSR loader (the
/// code `ddexd ingest-dsr` runs), CSVs imported into the SQLite ledger store, the engine over `SQLiteLedgerInput`.
final class StoreHarness {
    let dir: TemporaryDirectory
    let database: Database
    let store: SQLiteLedgerStore
    let accountingCurrency: String
    let commissionBasisPoints: Int

    init(accountingCurrency: String = "EUR", commissionBasisPoints: Int = 1500) throws {
        dir = try TemporaryDirectory(prefix: "ledger-sqlite")
        database = try Database.openMigrated(path: dir.path + "/ddexd.sqlite", options: Database.Options(synchronous: .normal))
        store = SQLiteLedgerStore(database: database)
        self.accountingCurrency = accountingCurrency
        self.commissionBasisPoints = commissionBasisPoints
    }

    /// A private copy of a golden report (tests may rename or change its files); returns its folder.
    func copy(_ report: GoldenReport) throws -> String {
        try report.copy(into: dir.url).folder.path
    }

    /// The DSR files in `folder`.
    static func reportFiles(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("DSR_") }.sorted().map { folder + "/" + $0 }
    }

    /// Loads every DSR file of `folder` with the store's loader.
    @discardableResult
    func ingest(_ paths: [String]) throws -> [DSRLoadResult] {
        let grouped = DSRReportFiles.group(paths: paths)
        XCTAssertEqual(grouped.rejected.count, 0, "\(grouped.rejected)")
        let loader = DSRReportLoader(database: database)
        return try grouped.reports.map { try loader.load($0) }
    }

    func importCSVs(from folder: String, kinds: [LedgerImportKind] = LedgerImportKind.allCases) throws {
        // accounts.csv exists only for reports of several accounts (dsrgen --accounts).
        for kind in kinds where kind != .accounts || FileManager.default.fileExists(atPath: "\(folder)/accounts.csv") {
            try LedgerImport.importFile(kind, path: "\(folder)/\(kind.rawValue).csv", into: store,
                                        accountingCurrency: accountingCurrency)
        }
    }

    func statements(period: String = "2020-06", collectDetail: Bool = false) throws -> StatementSet {
        let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: accountingCurrency,
                                                               commission: CommissionPolicy(defaultBasisPoints: commissionBasisPoints)),
                                      reference: store.referenceData())
        let p = try StatementPeriod(parsing: period)
        let result = try engine.run(period: p, input: SQLiteLedgerInput(database: database),
                                    options: LedgerRunOptions(collectDetail: collectDetail))
        let (balances, problems) = try store.openingBalances(for: p, currency: accountingCurrency)
        return StatementSet(result: result, openingBalances: balances, problems: problems)
    }

    /// Writes `set` as JSON and checks it against the report's oracle (`expected.json`), as `dsrgen.py --verify` does.
    @discardableResult
    func verify(_ set: StatementSet, against report: GoldenReport, file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let json = try SummaryJSONRenderer.render(set)
        let actual = try dir.write(json, to: "actual-\(UUID().uuidString).json")
        try OracleCheck.assertMatches(report, actual: actual, file: file, line: line)
        XCTAssertTrue(set.result.invariantHolds, file: file, line: line)
        return json
    }

    /// Ingests, imports, runs and verifies a golden report in one go.
    @discardableResult
    func roundTrip(_ report: GoldenReport) throws -> (folder: String, set: StatementSet) {
        let folder = try copy(report)
        try ingest(Self.reportFiles(in: folder))
        try importCSVs(from: folder)
        let set = try statements()
        try verify(set, against: report)
        return (folder, set)
    }
}
