import DDEXModel
import DSR
import Foundation
import Ledger
import Store
import TestSupport
import XCTest

/// A statement run end to end through the product's code: dsrgen's files loaded by the store's DSR loader (the
/// code `ddexd ingest-dsr` runs), CSVs imported into the SQLite ledger store, the engine over `SQLiteLedgerInput`.
final class StoreHarness {
    let dir: TemporaryDirectory
    let database: Database
    let store: SQLiteLedgerStore
    let accountingCurrency: String

    init(accountingCurrency: String = "EUR") throws {
        dir = try TemporaryDirectory(prefix: "ledger-sqlite")
        database = try Database.openMigrated(path: dir.path + "/ddexd.sqlite", options: Database.Options(synchronous: .normal))
        store = SQLiteLedgerStore(database: database)
        self.accountingCurrency = accountingCurrency
    }

    /// Runs dsrgen into a new subfolder and returns it.
    func generate(_ name: String, _ options: [String]) throws -> String {
        let folder = dir.path + "/" + name
        try Oracle.generate(into: folder, options)
        return folder
    }

    /// The DSR files dsrgen wrote in `folder`.
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
        for kind in kinds {
            try LedgerImport.importFile(kind, path: "\(folder)/\(kind.rawValue).csv", into: store,
                                        accountingCurrency: accountingCurrency)
        }
    }

    func statements(period: String = "2020-06", collectDetail: Bool = false) throws -> StatementSet {
        let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: accountingCurrency,
                                                               commission: CommissionPolicy(defaultBasisPoints: 1500)),
                                      reference: store.referenceData())
        let p = try StatementPeriod(parsing: period)
        let result = try engine.run(period: p, input: SQLiteLedgerInput(database: database),
                                    options: LedgerRunOptions(collectDetail: collectDetail))
        let (balances, problems) = try store.openingBalances(for: p, currency: accountingCurrency)
        return StatementSet(result: result, openingBalances: balances, problems: problems)
    }

    /// Writes `set` as JSON and checks it with `dsrgen.py --verify` against `folder`'s expected.json.
    @discardableResult
    func verify(_ set: StatementSet, against folder: String, file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let json = try SummaryJSONRenderer.render(set)
        let actual = try dir.write(json, to: "actual-\(UUID().uuidString).json")
        let run = try Oracle.python(["--verify", folder + "/expected.json", "--actual", actual.path])
        let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertEqual(run.exitCode, 0, "dsrgen --verify failed:\n\(run.output.suffix(3000))", file: file, line: line)
        XCTAssertTrue(last.hasSuffix(" passed, 0 failed"), "last line: \(last)", file: file, line: line)
        XCTAssertGreaterThan(Int(last.split(separator: " ").first ?? "") ?? 0, 20, "compared too little: \(last)", file: file, line: line)
        XCTAssertTrue(set.result.invariantHolds, file: file, line: line)
        return json
    }

    /// Generates, ingests, imports, runs and verifies in one go.
    @discardableResult
    func roundTrip(_ options: [String]) throws -> (folder: String, set: StatementSet) {
        let folder = try generate("gen", options)
        try ingest(Self.reportFiles(in: folder))
        try importCSVs(from: folder)
        let set = try statements()
        try verify(set, against: folder)
        return (folder, set)
    }
}
