import DDEXModel
import Foundation
import Ledger
import TestSupport
import XCTest

final class ImportTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "ledger-import") }
    override func tearDown() { dir = nil }

    func write(_ text: String, _ name: String) throws -> String { try dir.write(text, to: name).path }

    func assertRejected(_ kind: LedgerImportKind, _ text: String, code: ProblemCode, line: Int, cell: String? = nil,
                        file: StaticString = #filePath, testLine: UInt = #line) throws
    {
        let path = try write(text, "\(kind.rawValue).csv")
        let store = InMemoryLedgerStore()
        XCTAssertThrowsError(try LedgerImport.importFile(kind, path: path, into: store, accountingCurrency: "EUR"), file: file, line: testLine) { error in
            guard let e = error as? LedgerError else { return XCTFail("\(error)", file: file, line: testLine) }
            XCTAssertEqual(e.problems.first?.code, code, e.description, file: file, line: testLine)
            XCTAssertEqual(e.problems.first?.location, "\(path):\(line)" + (cell.map { ": \($0)" } ?? ""), e.description, file: file, line: testLine)
        }
        // Nothing imported.
        let data = try store.referenceData()
        XCTAssertTrue(data.catalogue.isEmpty && data.splits.isEmpty && data.rates.isEmpty, file: file, line: testLine)
        XCTAssertTrue(try store.advances().isEmpty, file: file, line: testLine)
    }

    func testCatalogueWithRFC4180Quoting() throws {
        let text = "icpn,isrc,title,display_artist\r\n"
            + "1005192837464,gbaaa2600001,\"Don't Stop, \"\"Baby\"\"\",Zoë & Co\r\n"
            + "1005192837464,GBAAA2600002,\"Two\nLines\",<b>Björk</b>\r\n"
            + "1005192837464,GBAAA2600003,Plain,\r\n"
        let path = try write(text, "catalog.csv")
        let rows = try LedgerImport.catalogue(path: path, account: "indie")
        XCTAssertEqual(rows.map(\.title), ["Don't Stop, \"Baby\"", "Two\nLines", "Plain"])
        XCTAssertEqual(rows[0].isrc.value, "GBAAA2600001", "canonical upper case")
        XCTAssertEqual(rows[1].displayArtist, "<b>Björk</b>")
        XCTAssertEqual(rows[2].displayArtist, "")
        XCTAssertEqual(rows[0].account, "indie")
    }

    func testMalformedCSVNamesFileAndLine() throws {
        let header = "icpn,isrc,title,display_artist\n"
        try assertRejected(.catalog, header + "1005192837464,GBAAA2600001,Ok,A\n1005192837464,GBAAA2600002,Bad \"quote\",A\n", code: .ledgerCSVMalformed, line: 3)
        try assertRejected(.catalog, header + "1005192837464,GBAAA2600001,\"Open,A\n", code: .ledgerCSVMalformed, line: 2)
        try assertRejected(.catalog, header + "1005192837464,GBAAA2600001,\"Closed\"x,A\n", code: .ledgerCSVMalformed, line: 2)
        try assertRejected(.catalog, header + "1005192837464,GBAAA2600001,Two,A,extra\n", code: .ledgerCSVMalformed, line: 2)
        try assertRejected(.catalog, header + "1005192837465,GBAAA2600001,T,A\n", code: .icpnInvalid, line: 2)
        try assertRejected(.catalog, header + "1005192837464,GB-AAA-26-00001,T,A\n", code: .isrcInvalid, line: 2)
        try assertRejected(.catalog, header + "1005192837464,GBAAA2600001,T,A\n1005192837464,GBAAA2600001,T,A\n", code: .ledgerDuplicateRow, line: 3)
        try assertRejected(.catalog, "isrc,icpn,title,display_artist\n", code: .ledgerCSVHeader, line: 1)
        try assertRejected(.catalog, "", code: .ledgerCSVHeader, line: 1)
        try assertRejected(.catalog, header + "1005192837464,GBAAA2600001,T\rA\n", code: .ledgerCSVMalformed, line: 2)
        let invalidUTF8 = try dir.write(Data(header.utf8) + Data([0x31, 0x2C, 0xFF, 0x0A]), to: "bad.csv").path
        XCTAssertThrowsError(try LedgerImport.catalogue(path: invalidUTF8)) {
            XCTAssertEqual(($0 as? LedgerError)?.problems.first?.location, "\(invalidUTF8):2")
        }
    }

    func testSplits() throws {
        let ok = try write("isrc,payee,share_bp\nGBAAA2600001,Ann,3334\nGBAAA2600001,\"Bo, Jr.\",3333\nGBAAA2600001,Cy,3333\nGBAAA2600002,Ann,10000\n", "ok.csv")
        let splits = try LedgerImport.splits(path: ok)
        XCTAssertEqual(splits.count, 2)
        XCTAssertEqual(splits[0].shares.map(\.payee), ["Ann", "Bo, Jr.", "Cy"], "split order kept")
        // splits.csv is read by the one splits reader (SplitsCSVReader): its codes, and locations naming the cell.
        let header = "isrc,payee,share_bp\n"
        try assertRejected(.splits, header + "GBAAA2600001,Ann,5000\nGBAAA2600002,Ann,10000\nGBAAA2600001,Bo,4999\n", code: .splitsSumInvalid, line: 2, cell: "GBAAA2600001")
        try assertRejected(.splits, header + "GBAAA2600001,Ann,5000.0\n", code: .splitShareInvalid, line: 2, cell: "share_bp")
        try assertRejected(.splits, header + "GBAAA2600001,Ann,-5000\n", code: .splitShareInvalid, line: 2, cell: "share_bp")
        try assertRejected(.splits, header + "GBAAA2600001,Ann,5000\nGBAAA2600001,Ann,5000\n", code: .splitPayeeDuplicate, line: 3, cell: "payee")
        try assertRejected(.splits, header + "GBAAA2600001,,10000\n", code: .splitPayeeInvalid, line: 2, cell: "payee")
        try assertRejected(.splits, header + "GBAAA2600001,Ann\n", code: .splitsCSVSyntax, line: 2)
        try assertRejected(.splits, "isrc,payee\n", code: .splitsCSVSyntax, line: 1)
    }

    func testAdvancesAndRates() throws {
        let advances = try LedgerImport.advances(path: write("payee,currency,amount\nAnn,EUR,3139.00\nBo,EUR,0.116837\n", "a.csv"), accountingCurrency: "EUR")
        XCTAssertEqual(advances.map(\.amount.micro), [3_139_000_000, 116_837])
        let header = "payee,currency,amount\n"
        try assertRejected(.advances, header + "Ann,EUR,1\nBo,EUR,-1.00\n", code: .ledgerAdvanceNegative, line: 3)
        try assertRejected(.advances, header + "Ann,USD,1.00\n", code: .ledgerCurrencyInvalid, line: 2)
        try assertRejected(.advances, header + "Ann,eur,1.00\n", code: .ledgerCurrencyInvalid, line: 2)
        try assertRejected(.advances, header + "Ann,EUR,1,00\n", code: .ledgerCSVMalformed, line: 2)
        try assertRejected(.advances, header + "Ann,EUR,1e3\n", code: .amountInvalid, line: 2)

        let rates = try LedgerImport.rates(path: write("currency,period,rate\nGBP,2020-06,1.1455\nJPY,2020-Q2,0.006196\n", "r.csv"))
        XCTAssertEqual(rates.map(\.rate.description), ["1.1455", "0.006196"])
        XCTAssertEqual(rates[1].period.kind, .quarter)
        let rh = "currency,period,rate\n"
        try assertRejected(.rates, rh + "GBP,2020-13,1.1\n", code: .periodInvalid, line: 2)
        try assertRejected(.rates, rh + "GBP,2020-06,0\n", code: .rateInvalid, line: 2)
        try assertRejected(.rates, rh + "GBP,2020-06,1.1\nGBP,2020-06,1.2\n", code: .ledgerDuplicateRow, line: 3)
    }

    func testStoreReplacesOnReimport() throws {
        let store = InMemoryLedgerStore()
        let path = try write("isrc,payee,share_bp\nGBAAA2600001,Ann,10000\n", "s1.csv")
        try LedgerImport.importFile(.splits, path: path, into: store)
        try LedgerImport.importFile(.splits, path: write("isrc,payee,share_bp\nGBAAA2600001,Bo,10000\n", "s2.csv"), into: store)
        XCTAssertEqual(try store.referenceData().splits.map { $0.shares.map(\.payee) }, [["Bo"]])
        try LedgerImport.importFile(.advances, path: write("payee,currency,amount\nAnn,EUR,5\n", "a.csv"), into: store)
        try LedgerImport.importFile(.advances, path: write("payee,currency,amount\nAnn,EUR,5\n", "a.csv"), into: store)
        XCTAssertEqual(try store.advances().count, 1, "importing the same advances twice changes nothing")
    }
}

final class PeriodTests: XCTestCase {
    func testParsesEveryDSRForm() throws {
        let cases: [(String, StatementPeriod.Kind, String, String)] = [
            ("2026", .year, "2026-01-01", "2026-12-31"),
            ("2026-Q4", .quarter, "2026-10-01", "2026-12-31"),
            ("2026-10", .month, "2026-10-01", "2026-10-31"),
            ("2024-02", .month, "2024-02-01", "2024-02-29"),
            ("2026-W01", .week, "2025-12-29", "2026-01-04"),
            ("2020-W53", .week, "2020-12-28", "2021-01-03"),
            ("2026-10-07", .day, "2026-10-07", "2026-10-07"),
            ("2026-10-01--2026-10-31", .range, "2026-10-01", "2026-10-31"),
        ]
        for (text, kind, start, end) in cases {
            let p = try StatementPeriod(parsing: text)
            XCTAssertEqual(p.kind, kind, text)
            XCTAssertEqual(p.start.description, start, text)
            XCTAssertEqual(p.end.description, end, text)
            XCTAssertEqual(p.description, text, "round trip")
        }
        for bad in ["", "26-10", "2026-13", "2026-Q5", "2026-Q0", "2026-W54", "2025-W53", "2026-02-30", "2026-10-31--2026-10-01",
                    "2026-10-01--", "2026/10", "2026-1", "2026-10-01-2026-10-31", "0999", "2026-10 "] {
            XCTAssertThrowsError(try StatementPeriod(parsing: bad), bad) {
                XCTAssertEqual(($0 as? IdentifierError)?.code, .periodInvalid)
            }
        }
    }

    func testContainsAndPrevious() throws {
        let q4 = try StatementPeriod(parsing: "2026-Q4")
        let d = { (s: String) in CivilDate(parsing: s)! }
        XCTAssertTrue(q4.contains(start: d("2026-10-01"), end: d("2026-10-31")))
        XCTAssertTrue(q4.contains(start: d("2026-12-01"), end: d("2026-12-31")))
        XCTAssertFalse(q4.contains(start: d("2026-09-30"), end: d("2026-10-31")), "a report straddling the boundary is not in it")
        XCTAssertFalse(try StatementPeriod(parsing: "2026-10").contains(q4))
        XCTAssertEqual(try StatementPeriod(parsing: "2026-01").previous?.description, "2025-12")
        XCTAssertEqual(try StatementPeriod(parsing: "2026-03").previous?.description, "2026-02")
        XCTAssertEqual(q4.previous?.description, "2026-Q3")
        XCTAssertEqual(try StatementPeriod(parsing: "2026-Q1").previous?.description, "2025-Q4")
        XCTAssertEqual(try StatementPeriod(parsing: "2026").previous?.description, "2025")
        XCTAssertEqual(try StatementPeriod(parsing: "2026-W01").previous?.description, "2025-W52")
        XCTAssertEqual(try StatementPeriod(parsing: "2026-10-11--2026-10-20").previous?.description, "2026-10-01--2026-10-10")
    }
}
