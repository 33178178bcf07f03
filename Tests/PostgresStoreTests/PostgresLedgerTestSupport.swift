import DDEXModel
import DSR
import Foundation
import Ledger
import PostgresStore
import Store
import TestSupport
import XCTest

/// One report folder (dsrgen's files and CSVs) fed to both engines through the product's code — each engine's
/// DSR loader, the CSV imports into each ledger store — ready for the same statement run on each.
final class LedgerOnBothEngines {
    let folder: String
    let sqlite: Database
    let sqliteStore: SQLiteLedgerStore
    let postgres: PostgresDatabase
    let postgresStore: PostgresLedgerStore
    let accountingCurrency: String
    let commissionBasisPoints: Int

    init(folder: String, sqlitePath: String, postgres: PostgresDatabase, accountingCurrency: String = "EUR",
         commissionBasisPoints: Int = 1500) throws
    {
        self.folder = folder
        sqlite = try Database.openMigrated(path: sqlitePath, options: Database.Options(synchronous: .normal))
        sqliteStore = SQLiteLedgerStore(database: sqlite)
        self.postgres = postgres
        postgresStore = PostgresLedgerStore(database: postgres)
        self.accountingCurrency = accountingCurrency
        self.commissionBasisPoints = commissionBasisPoints
    }

    /// Loads the folder's reports into both engines and imports its CSVs into both ledger stores.
    @discardableResult
    func load() throws -> [DSRLoadResult] {
        let paths = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("DSR_") }.sorted().map { folder + "/" + $0 }
        let grouped = DSRReportFiles.group(paths: paths)
        XCTAssertEqual(grouped.rejected.count, 0, "\(grouped.rejected)")
        var results: [DSRLoadResult] = []
        for report in grouped.reports {
            let expected = try DSRReportLoader(database: sqlite).load(report)
            results.append(try PostgresDSRReportLoader(database: postgres).load(report))
            XCTAssertEqual(results.last, expected)
        }
        for kind in LedgerImportKind.allCases where kind != .accounts || FileManager.default.fileExists(atPath: "\(folder)/accounts.csv") {
            for store in [sqliteStore, postgresStore] as [any LedgerStore] {
                try LedgerImport.importFile(kind, path: "\(folder)/\(kind.rawValue).csv", into: store, accountingCurrency: accountingCurrency)
            }
        }
        return results
    }

    var engineSettings: LedgerSettings {
        LedgerSettings(accountingCurrency: accountingCurrency, commission: CommissionPolicy(defaultBasisPoints: commissionBasisPoints))
    }

    /// The statements of `period` from SQLite's store and input.
    func sqliteStatements(period: String = "2020-06", options: LedgerRunOptions = LedgerRunOptions()) throws -> StatementSet {
        try statements(store: sqliteStore, input: SQLiteLedgerInput(database: sqlite), period: period, options: options)
    }

    /// The statements of `period` from PostgreSQL's store and input.
    func postgresStatements(period: String = "2020-06", options: LedgerRunOptions = LedgerRunOptions(),
                            linesPerFetch: Int = 16_384) throws -> StatementSet
    {
        try statements(store: postgresStore, input: PostgresLedgerInput(database: postgres, linesPerFetch: linesPerFetch),
                       period: period, options: options)
    }

    private func statements(store: any LedgerStore, input: some LedgerInput, period: String,
                            options: LedgerRunOptions) throws -> StatementSet
    {
        let engine = try LedgerEngine(settings: engineSettings, reference: store.referenceData())
        let p = try StatementPeriod(parsing: period)
        let result = try engine.run(period: p, input: input, options: options)
        let (balances, problems) = try store.openingBalances(for: p, currency: accountingCurrency)
        return StatementSet(result: result, openingBalances: balances, problems: problems)
    }

    /// Fails unless two runs agree on everything a statement shows: payees (with their lines when kept), summaries,
    /// unmatched entries, accounts, problems, and the JSON written from them, byte for byte.
    static func assertSame(_ postgres: StatementSet, _ sqlite: StatementSet, _ what: String,
                           file: StaticString = #filePath, line: UInt = #line) throws
    {
        XCTAssertEqual(postgres.result.payees, sqlite.result.payees, "\(what): payees", file: file, line: line)
        XCTAssertEqual(postgres.result.summaries, sqlite.result.summaries, "\(what): summaries", file: file, line: line)
        XCTAssertEqual(postgres.result.unmatchedEntries, sqlite.result.unmatchedEntries, "\(what): unmatched", file: file, line: line)
        XCTAssertEqual(postgres.result.accounts, sqlite.result.accounts, "\(what): accounts", file: file, line: line)
        XCTAssertEqual(postgres.problems, sqlite.problems, "\(what): problems", file: file, line: line)
        XCTAssertEqual(try SummaryJSONRenderer.render(postgres, includeStatements: true),
                       try SummaryJSONRenderer.render(sqlite, includeStatements: true), "\(what): JSON", file: file, line: line)
        XCTAssertTrue(postgres.result.invariantHolds, "\(what)", file: file, line: line)
    }
}
