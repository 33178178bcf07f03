import DDEXModel
import Foundation
import Ledger
import TestSupport
import XCTest

/// Runs dsrgen.py (generator and oracle) and the ledger over its output.
enum Oracle {
    struct Run {
        var exitCode: Int32
        var output: String
    }

    static func python(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", RepositoryPaths.dsrgen.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(exitCode: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Generates a report into `folder` with dsrgen's options.
    static func generate(into folder: String, _ options: [String]) throws {
        let run = try python(["--out", folder] + options)
        guard run.exitCode == 0 else { throw NSError(domain: "dsrgen", code: Int(run.exitCode), userInfo: [NSLocalizedDescriptionKey: run.output]) }
    }

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

    /// Generates, computes, writes actual.json and verifies it with dsrgen; returns the set for more checks.
    @discardableResult
    static func verify(_ options: [String], accountingCurrency: String = "EUR", commissionBasisPoints: Int = 1500,
                       file: StaticString = #filePath, line: UInt = #line) throws -> StatementSet
    {
        let dir = try TemporaryDirectory(prefix: "ledger-oracle")
        try generate(into: dir.path, options)
        let set = try statements(folder: dir.path, accountingCurrency: accountingCurrency, commissionBasisPoints: commissionBasisPoints)
        let actual = try dir.write(SummaryJSONRenderer.render(set, includeStatements: true), to: "actual.json")
        let run = try python(["--verify", dir.path + "/expected.json", "--actual", actual.path])
        let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertEqual(run.exitCode, 0, "dsrgen --verify failed for \(options):\n\(run.output.suffix(3000))", file: file, line: line)
        XCTAssertTrue(last.hasSuffix(" passed, 0 failed"), "last line: \(last)", file: file, line: line)
        let passed = Int(last.split(separator: " ").first ?? "") ?? 0
        XCTAssertGreaterThan(passed, 20, "the check compared too little: \(last)", file: file, line: line)
        XCTAssertTrue(set.result.invariantHolds, file: file, line: line)
        return set
    }
}
