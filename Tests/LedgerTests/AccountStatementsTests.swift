import DDEXModel
import Foundation
import Ledger
import TestSupport
import XCTest

/// Per-account statements of a distributor with client accounts (dsrgen `--accounts 2`), checked against the
/// oracle in sum and account by account.
final class AccountStatementsTests: XCTestCase {
    func testAccountsMatchTheOracleInSumAndPerAccount() throws {
        for (report, accounts) in [(GoldenReport.seed4TwoAccounts, 2), (.seed8ThreeAccountsSpecial, 3)] {
            try checkAccounts(report, names: (1...accounts).map { "account-\($0)" })
        }
    }

    /// The negative summary's reissue payee earns less than nothing in its own account; its account still adds up.
    func testANegativeEarnerStaysInItsAccount() throws {
        let (_, set) = try StoreHarness().roundTrip(.seed8ThreeAccountsSpecial)
        let reissue = try XCTUnwrap(set.statements.first { $0.payee.hasSuffix("(reissue)") })
        XCTAssertLessThan(reissue.earnings, .zero)
        let account = try XCTUnwrap(set.payeeAccounts[reissue.payee])
        let own = try set.restricted(to: account)
        XCTAssertEqual(own.statements.first { $0.payee == reissue.payee }?.earnings, reissue.earnings)
        XCTAssertTrue(own.result.invariantHolds)
        XCTAssertNotEqual(set.result.unallocated, .zero, "the zero-usage summary stays with the distributor")
    }

    private func checkAccounts(_ report: GoldenReport, names: [String]) throws {
        let harness = try StoreHarness()
        let (_, set) = try harness.roundTrip(report)
        XCTAssertEqual(set.accountNames, names)
        let json = try SummaryJSONRenderer.render(set)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertEqual((document["accounts"] as? [String: Any])?.keys.sorted(), names,
                       "the distributor's JSON carries every account (checked by the oracle above)")

        var lines = 0, total: Int64 = 0
        for account in set.accountNames {
            let own = try set.restricted(to: account)
            let actual = try harness.dir.write(try SummaryJSONRenderer.render(own), to: "\(account).json")
            try OracleCheck.assertMatches(report, actual: actual, account: account)
            lines += own.result.lineCount
            total += own.result.total.micro
            XCTAssertTrue(own.result.invariantHolds, "\(account): total = its payees' earnings + its commission")
        }
        let expected = try report.expectedJSON()
        XCTAssertEqual(Int64(total) + set.result.unmatched.micro + set.result.unallocated.micro, set.result.total.micro)
        XCTAssertLessThanOrEqual(lines, expected["lines"] as? Int ?? 0)
    }

    /// An account's statements show its own payees and lines only: no other account's payee, no unmatched or
    /// unallocated amount of the distributor, no summary of the DSP's whole report.
    func testAnAccountNeverSeesAnotherAccountsLines() throws {
        let harness = try StoreHarness()
        let (_, set) = try harness.roundTrip(.seed4TwoAccounts)
        let first = try set.restricted(to: "account-1")
        let second = try set.restricted(to: "account-2")
        let firstPayees = Set(first.statements.map(\.payee)), secondPayees = Set(second.statements.map(\.payee))
        XCTAssertFalse(firstPayees.isEmpty)
        XCTAssertTrue(firstPayees.isDisjoint(with: secondPayees))
        XCTAssertEqual(firstPayees.union(secondPayees), Set(set.statements.map(\.payee)))
        for own in [first, second] {
            XCTAssertEqual(own.result.unmatched, .zero)
            XCTAssertEqual(own.result.unallocated, .zero)
            XCTAssertTrue(own.unmatched.isEmpty && own.result.summaries.isEmpty)
            let text = String(decoding: try SummaryJSONRenderer.render(own, includeStatements: true), as: UTF8.self)
            let others = own.account == "account-1" ? secondPayees : firstPayees
            for payee in others {
                XCTAssertFalse(text.contains("\"\(payee)\""), "\(own.account ?? ""): shows \(payee) of the other account")
            }
        }
        XCTAssertThrowsError(try set.restricted(to: "account-9")) { error in
            XCTAssertEqual((error as? LedgerError)?.code, "LEDGER_ACCOUNT_INVALID")
        }
    }

    /// A payee in the splits of two accounts' tracks is refused before any figure is computed.
    func testAPayeeInTwoAccountsIsRefused() throws {
        let a = try ISRC(validating: "GBAAA2600001"), b = try ISRC(validating: "GBAAA2600002")
        let icpn = try ICPN(validating: "1005192837464")
        let reference = LedgerReferenceData(
            catalogue: [CatalogueEntry(icpn: icpn, isrc: a, title: "A", displayArtist: "X", account: "indie"),
                        CatalogueEntry(icpn: icpn, isrc: b, title: "B", displayArtist: "X", account: "major")],
            splits: [Split(isrc: a, shares: [PayeeShare(payee: "P", basisPoints: 10_000)]),
                     Split(isrc: b, shares: [PayeeShare(payee: "P", basisPoints: 10_000)])])
        let settings = LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1000))
        XCTAssertThrowsError(try LedgerEngine(settings: settings, reference: reference)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, "LEDGER_ACCOUNT_CONFLICT")
            XCTAssertTrue("\(error)".contains("GBAAA2600002"), "\(error)")
        }
        var advanced = reference
        advanced.splits.removeLast()
        advanced.payeeAccounts = ["P": "major"]
        XCTAssertThrowsError(try LedgerEngine(settings: settings, reference: advanced)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, "LEDGER_ACCOUNT_CONFLICT")
        }
    }

    /// accounts.csv: names that can be folders, rates in 0...10000, each account once; a bad row imports nothing.
    func testAccountsImportRejectsBadRows() throws {
        let dir = try TemporaryDirectory(prefix: "accounts-csv")
        let good = try dir.write("account,commission_bp\nlabel-a,1500\nlabel_b.2,0\n", to: "accounts.csv")
        XCTAssertEqual(try LedgerImport.accounts(path: good.path),
                       [LedgerAccount(name: "label-a", commissionBasisPoints: 1500), LedgerAccount(name: "label_b.2", commissionBasisPoints: 0)])
        for (text, code) in [("account,commission_bp\n../x,100\n", "LEDGER_ACCOUNT_INVALID"),
                             ("account,commission_bp\na,10001\n", "LEDGER_SHARE_INVALID"),
                             ("account,commission_bp\na,1\na,2\n", "LEDGER_DUPLICATE_ROW"),
                             ("account,bp\na,1\n", "LEDGER_CSV_HEADER")] {
            let bad = try dir.write(text, to: "bad-\(UUID().uuidString).csv")
            XCTAssertThrowsError(try LedgerImport.accounts(path: bad.path)) { error in
                XCTAssertEqual((error as? LedgerError)?.code, code, "\(text): \(error)")
                XCTAssertTrue("\(error)".contains(bad.path + ":"), "names the file and line: \(error)")
            }
        }
        let catalog = try dir.write("icpn,isrc,title,display_artist\n1005192837464,GBAAA2600001,T,A\n", to: "catalog.csv")
        XCTAssertThrowsError(try LedgerImport.catalogue(path: catalog.path, account: nil)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, "LEDGER_ACCOUNT_INVALID", "a row of no account: \(error)")
        }
    }
}
