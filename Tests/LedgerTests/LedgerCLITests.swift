import Foundation
import TestSupport
import XCTest

/// Drives the real `ddexd` binary: ingest-dsr, import, statements, then dsrgen's oracle on the JSON.
final class LedgerCLITests: XCTestCase {
    func testIngestImportStatementsVerify() throws {
        let dir = try TemporaryDirectory(prefix: "ledger-cli")
        let report = GoldenReport.seed9TwoGzipFilesNegative
        let gen = report.folder.path
        // The example configuration (its relative paths resolve against Config/), with a private spool.
        let config = RepositoryPaths.config.appendingPathComponent("ddexd.toml").path
        let common = ["--config", config, "--spool", dir.path + "/spool"]
        func ddexd(_ arguments: [String]) throws -> CommandResult {
            let result = try CommandRunner.run(CommandRunner.ddexd, arguments)
            XCTAssertEqual(result.status, 0, "ddexd \(arguments.joined(separator: " ")):\n\(result.stdout)\(result.stderr)")
            return result
        }
        let reports = try FileManager.default.contentsOfDirectory(atPath: gen).filter { $0.hasPrefix("DSR_") }.map { gen + "/" + $0 }
        try ddexd(["ingest-dsr", "--quiet"] + common + reports)
        for kind in ["catalog", "splits", "advances", "rates"] {
            let out = try ddexd(["import", kind, gen + "/\(kind).csv"] + common)
            XCTAssertTrue(out.stdout.hasPrefix("imported "), out.stdout)
        }
        let out = dir.path + "/statements"
        let run = try ddexd(["statements", "--period", "2020-06", "--format", "json", "--out", out] + common)
        XCTAssertTrue(run.stdout.contains("1 report(s)"), run.stdout)
        try OracleCheck.assertMatches(report, actual: URL(fileURLWithPath: out + "/statements.json"))

        // CSV and HTML statements, with the breakdown aggregated in SQL.
        for format in ["csv", "html"] {
            try ddexd(["statements", "--period", "2020-06", "--format", format, "--out", out + "-" + format] + common)
        }
        let lines = try String(contentsOfFile: out + "-csv/statement-lines.csv", encoding: .utf8)
        XCTAssertGreaterThan(lines.split(separator: "\r\n").count, 100)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "-html/index.html"))

        // A malformed import exits non-zero and names the file and line.
        let bad = try dir.write("payee,currency,amount\nSomeone,EUR,-5.00\n", to: "advances.csv")
        let rejected = try CommandRunner.run(CommandRunner.ddexd, ["import", "advances", bad.path] + common)
        XCTAssertNotEqual(rejected.status, 0)
        XCTAssertTrue(rejected.stderr.contains("\(bad.path):2"), rejected.stderr)
    }

    /// A distributor with two client accounts: the distributor's statements and each account's in its own folder,
    /// `--account` alone writes one account's, and each equals dsrgen's oracle for that account.
    func testStatementsPerAccount() throws {
        let dir = try TemporaryDirectory(prefix: "ledger-accounts-cli")
        let report = GoldenReport.seed4TwoAccounts
        let gen = report.folder.path
        let config = RepositoryPaths.config.appendingPathComponent("ddexd.toml").path
        let common = ["--config", config, "--spool", dir.path + "/spool"]
        @discardableResult
        func ddexd(_ arguments: [String], status: Int32 = 0) throws -> CommandResult {
            let result = try CommandRunner.run(CommandRunner.ddexd, arguments)
            XCTAssertEqual(result.status, status, "ddexd \(arguments.joined(separator: " ")):\n\(result.stdout)\(result.stderr)")
            return result
        }
        let reports = try FileManager.default.contentsOfDirectory(atPath: gen).filter { $0.hasPrefix("DSR_") }.map { gen + "/" + $0 }
        try ddexd(["ingest-dsr", "--quiet"] + common + reports)
        for kind in ["accounts", "catalog", "splits", "advances", "rates"] {
            try ddexd(["import", kind, gen + "/\(kind).csv"] + common)
        }
        let out = dir.path + "/all"
        try ddexd(["statements", "--period", "2020-06", "--out", out] + common)
        try OracleCheck.assertMatches(report, actual: URL(fileURLWithPath: out + "/statements.json"))
        for account in ["account-1", "account-2"] {
            try OracleCheck.assertMatches(report, actual: URL(fileURLWithPath: "\(out)/\(account)/statements.json"), account: account)
        }

        let one = dir.path + "/one"
        let run = try ddexd(["statements", "--period", "2020-06", "--account", "account-2", "--out", one] + common)
        XCTAssertTrue(run.stdout.contains("account account-2"), run.stdout)
        try OracleCheck.assertMatches(report, actual: URL(fileURLWithPath: one + "/statements.json"), account: "account-2")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: one), ["statements.json"], "no other account's folder")
        let text = try String(contentsOfFile: one + "/statements.json", encoding: .utf8)
        let expected = try report.expectedJSON()
        let others = (((expected["accounts"] as? [String: Any])?["account-1"] as? [String: Any])?["payees"] as? [String: Any])?.keys
        XCTAssertFalse(try XCTUnwrap(others).isEmpty)
        for payee in try XCTUnwrap(others) { XCTAssertFalse(text.contains("\"\(payee)\""), "account-2 sees \(payee)") }

        let unknown = try ddexd(["statements", "--period", "2020-06", "--account", "nobody", "--out", one] + common, status: 1)
        XCTAssertTrue(unknown.stderr.contains("LEDGER_ACCOUNT_INVALID"), unknown.stderr)
    }
}
