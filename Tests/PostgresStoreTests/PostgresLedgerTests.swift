import DDEXModel
import Foundation
import Ledger
import PostgresStore
import Store
import TestSupport
import XCTest

/// Statement runs over PostgreSQL: equal to SQLite's to the micro-unit and to dsrgen's oracle, per account too.
final class PostgresLedgerTests: PostgresStoreTestCase {
    private func engines(_ report: GoldenReport, accountingCurrency: String = "EUR",
                         commissionBasisPoints: Int = 1500) throws -> LedgerOnBothEngines
    {
        let (_, folder) = try golden(report)
        let engines = try LedgerOnBothEngines(folder: folder.path, sqlitePath: folder.path + "/ddexd.sqlite", postgres: makeDatabase(),
                                              accountingCurrency: accountingCurrency, commissionBasisPoints: commissionBasisPoints)
        try engines.load()
        return engines
    }

    /// Plain, multi-file gzip, negative and zero-usage summaries, a usage mismatch, a foreign currency: the same
    /// statements (lines kept, and totals only) on both engines, and the oracle's figures.
    func testStatementsEqualSQLiteAndTheOracle() throws {
        let cases: [(GoldenReport, String, Int)] = [
            (.seed1, "EUR", 1500), (.seed9TwoGzipFilesNegative, "EUR", 1500), (.seed3SpecialSummaries, "EUR", 1500),
            (.seed5UsageMismatch, "EUR", 1500), (.seed11USD, "USD", 2750),
        ]
        for (report, currency, commission) in cases {
            let engines = try engines(report, accountingCurrency: currency, commissionBasisPoints: commission)
            for options in [LedgerRunOptions(), LedgerRunOptions(collectDetail: false)] {
                let postgres = try engines.postgresStatements(options: options)
                try LedgerOnBothEngines.assertSame(postgres, try engines.sqliteStatements(options: options), "\(report.name)")
                let actual = try directory.write(SummaryJSONRenderer.render(postgres), to: "\(report.name)-\(options.collectDetail).json")
                try OracleCheck.assertMatches(report, actual: actual)
            }
        }
    }

    /// A distributor with client accounts: the whole run and each account's own statements equal SQLite's and the
    /// oracle's `accounts.<name>`.
    func testAccountStatementsEqualSQLiteAndTheOracle() throws {
        for (report, accounts) in [(GoldenReport.seed4TwoAccounts, 2), (.seed8ThreeAccountsSpecial, 3)] {
            let engines = try engines(report)
            let postgres = try engines.postgresStatements(), sqlite = try engines.sqliteStatements()
            try LedgerOnBothEngines.assertSame(postgres, sqlite, report.name)
            XCTAssertEqual(postgres.accountNames, (1...accounts).map { "account-\($0)" })
            try OracleCheck.assertMatches(report, actual: directory.write(SummaryJSONRenderer.render(postgres), to: "\(report.name).json"))
            for account in postgres.accountNames {
                let own = try postgres.restricted(to: account)
                try LedgerOnBothEngines.assertSame(own, try sqlite.restricted(to: account), "\(report.name) \(account)")
                let actual = try directory.write(SummaryJSONRenderer.render(own), to: "\(report.name)-\(account).json")
                try OracleCheck.assertMatches(report, actual: actual, account: account)
            }
        }
    }

    /// Readers on several connections, summaries read twice, tiny cursor pages: the result one reader gets.
    func testReadersOnSeveralConnectionsAndSmallPagesGiveTheSameResult() throws {
        let engines = try engines(.seed9TwoGzipFilesNegative)
        let one = try engines.postgresStatements(options: LedgerRunOptions(readers: 0))
        try LedgerOnBothEngines.assertSame(one, try engines.sqliteStatements(), "one reader")
        let input = PostgresLedgerInput(database: engines.postgres)
        XCTAssertEqual(try input.partitions(3, in: StatementPeriod(parsing: "2020-06"))?.count, 3)
        XCTAssertNil(try input.partitions(4, in: StatementPeriod(parsing: "2020-06")), "the pool keeps a connection")
        for (options, page) in [(LedgerRunOptions(readers: 2), 16_384), (LedgerRunOptions(readers: 3), 7),
                                (LedgerRunOptions(keptLinesLimit: 50, readers: 2), 100), (LedgerRunOptions(keptLinesLimit: 50, readers: 0), 1)] {
            try LedgerOnBothEngines.assertSame(try engines.postgresStatements(options: options, linesPerFetch: page), one,
                                               "\(options), pages of \(page)")
        }
    }

    /// A corrected report (same name, later creation time) supersedes the first: both engines then count only
    /// the newer report's lines, alike.
    func testASupersededReportLeavesTheTotalsOnBothEngines() throws {
        let engines = try engines(.seed1)
        let before = try engines.postgresStatements()
        for path in try FileManager.default.contentsOfDirectory(atPath: engines.folder).filter({ $0.hasPrefix("DSR_") }) {
            let text = try String(contentsOfFile: engines.folder + "/" + path, encoding: .utf8)
                .replacingOccurrences(of: "2020-07-03T07:59:30Z", with: "2020-07-09T07:59:30Z")
                .replacingOccurrences(of: "\t120\t", with: "\t121\t")
            try FileManager.default.removeItem(atPath: engines.folder + "/" + path)
            try text.write(toFile: engines.folder + "/" + path.replacingOccurrences(of: "T075930", with: "T235930"),
                           atomically: true, encoding: .utf8)
        }
        let results = try engines.load()
        XCTAssertEqual(results.map(\.superseded.count), [1])
        let after = try engines.postgresStatements()
        try LedgerOnBothEngines.assertSame(after, try engines.sqliteStatements(), "after supersession")
        XCTAssertEqual(after.result.reportCount, 1)
        XCTAssertEqual(after.result.lineCount, before.result.lineCount)
    }
}
