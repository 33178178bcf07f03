import DDEXModel
import DSR
import Foundation
import Ledger
import Store
import TestSupport
import XCTest

/// The ledger over the SQLite store, end to end through the real DSR loader, checked with dsrgen's oracle.
final class SQLiteLedgerTests: XCTestCase {
    func testSeveralSeedsMatchTheOracle() throws {
        for report in [GoldenReport.seed1, .seed6, .seed12] {
            try StoreHarness().roundTrip(report)
        }
    }

    func testMultiFileGzipReportMatchesTheOracle() throws {
        let (_, set) = try StoreHarness().roundTrip(.seed7ThreeGzipFiles)
        XCTAssertEqual(set.result.reportCount, 1)
    }

    func testForeignAccountingCurrencyMatchesTheOracle() throws {
        let harness = try StoreHarness(accountingCurrency: "USD", commissionBasisPoints: 2750)
        let (_, set) = try harness.roundTrip(.seed11USD)
        XCTAssertTrue(set.result.summaries.contains { $0.rateSource == .table }, "some summary is converted with the rate table")
        XCTAssertTrue(set.result.unconverted.isEmpty)
    }

    func testNegativeZeroUsageAndMismatchedSummariesMatchTheOracle() throws {
        let (_, special) = try StoreHarness().roundTrip(.seed3SpecialSummaries)
        XCTAssertNotEqual(special.result.unallocated, .zero)
        let (_, mismatch) = try StoreHarness().roundTrip(.seed5UsageMismatch)
        XCTAssertTrue(mismatch.problems.contains { $0.code == .ledgerUsageMismatch })
    }

    func testReingestingChangesNothing() throws {
        let harness = try StoreHarness()
        let (folder, first) = try harness.roundTrip(.seed9TwoGzipFilesNegative)
        let before = try SummaryJSONRenderer.render(first)
        let results = try harness.ingest(StoreHarness.reportFiles(in: folder))
        XCTAssertEqual(results.map(\.outcome), [.alreadyLoaded])
        let again = try harness.statements()
        XCTAssertEqual(try SummaryJSONRenderer.render(again), before)
        XCTAssertEqual(try harness.database.scalarInt("SELECT count(*) FROM dsr_reports"), 1)
    }

    /// A newer report for the same sender, recipient, service, period and territory replaces the older one's
    /// lines: the run then matches the newer report's oracle exactly.
    func testSupersedingReportReplacesTheOlderLines() throws {
        let harness = try StoreHarness()
        let older = try harness.copy(.seed1)
        let newer = try harness.copy(.seed12)
        try harness.ingest(StoreHarness.reportFiles(in: older))
        try harness.importCSVs(from: newer)
        let olderLines = try harness.statements().result.lineCount

        // The same report name with a later creation time: a corrected report.
        var renamed: [String] = []
        for path in try StoreHarness.reportFiles(in: newer) {
            let target = path.replacingOccurrences(of: "T075930", with: "T235930")
            XCTAssertNotEqual(target, path)
            try FileManager.default.moveItem(atPath: path, toPath: target)
            renamed.append(target)
        }
        let results = try harness.ingest(renamed)
        XCTAssertEqual(results.first?.outcome, .loaded)
        XCTAssertEqual(results.first?.superseded.count, 1)

        let set = try harness.statements()
        XCTAssertEqual(set.result.reportCount, 1)
        XCTAssertNotEqual(set.result.lineCount, olderLines)
        try harness.verify(set, against: .seed12)
        let states = try harness.database.prepare("SELECT state FROM dsr_reports ORDER BY id")
        var seen: [String] = []
        while try states.step() { seen.append(states.string(at: 0) ?? "") }
        XCTAssertEqual(seen, ["superseded", "loaded"])
    }

    /// Lines of tracks missing from the catalogue are reported per ISRC; importing the fixed catalogue and
    /// running again picks them up.
    func testUnmatchedLinesArePickedUpAfterTheCatalogueIsFixed() throws {
        let harness = try StoreHarness()
        let folder = try harness.copy(.seed6)
        try harness.ingest(StoreHarness.reportFiles(in: folder))
        try harness.importCSVs(from: folder, kinds: [.splits, .advances, .rates])

        // A catalogue without its first release's tracks.
        let rows = try String(contentsOfFile: folder + "/catalog.csv", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        let firstICPN = rows[1].split(separator: ",")[0]
        let kept = rows.filter { !$0.hasPrefix(firstICPN + ",") }
        let removed = Set(rows.filter { $0.hasPrefix(firstICPN + ",") }.map { String($0.split(separator: ",")[1]) })
        XCTAssertFalse(removed.isEmpty)
        let partial = try harness.dir.write(kept.joined(separator: "\n") + "\n", to: "partial-catalog.csv")
        try LedgerImport.importFile(.catalog, path: partial.path, into: harness.store)

        let before = try harness.statements()
        let unmatchedBefore = Set(before.unmatched.map(\.key))
        XCTAssertFalse(unmatchedBefore.intersection(removed).isEmpty, "a removed track with lines is reported unmatched")
        XCTAssertTrue(before.unmatched.filter { removed.contains($0.key) }.allSatisfy { $0.reason == .notInCatalogue })

        try harness.importCSVs(from: folder, kinds: [.catalog])
        let after = try harness.statements()
        XCTAssertTrue(Set(after.unmatched.map(\.key)).isDisjoint(with: removed))
        XCTAssertLessThan(after.result.unmatched, before.result.unmatched)
        try harness.verify(after, against: .seed6)
    }

    func testMalformedCSVImportsNothingAndNamesFileAndLine() throws {
        let harness = try StoreHarness()
        let file = try harness.dir.write("""
            icpn,isrc,title,display_artist
            1005192837464,USFPL9803517,One,Artist
            1005192837464,NOT-AN-ISRC,Two,Artist
            """, to: "catalog.csv")
        XCTAssertThrowsError(try LedgerImport.importFile(.catalog, path: file.path, into: harness.store)) { error in
            XCTAssertTrue("\(error)".contains("\(file.path):3"), "\(error)")
        }
        XCTAssertEqual(try harness.database.scalarInt("SELECT count(*) FROM ledger_catalogue"), 0)

        let splits = try harness.dir.write("isrc,payee,share_bp\nUSFPL9803517,A,6000\nUSFPL9803517,B,3000\n", to: "splits.csv")
        XCTAssertThrowsError(try LedgerImport.importFile(.splits, path: splits.path, into: harness.store)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, ProblemCode.splitsSumInvalid.rawValue)
        }
        XCTAssertEqual(try harness.database.scalarInt("SELECT count(*) FROM ledger_splits"), 0)
    }

    func testStoreRoundTripsReferenceDataAndRecoupment() throws {
        let harness = try StoreHarness()
        let store = harness.store
        let isrc = try ISRC(validating: "USFPL9803517")
        try store.importSplits([Split(isrc: isrc, shares: [PayeeShare(payee: "B", basisPoints: 3334), PayeeShare(payee: "A", basisPoints: 6666)])])
        try store.importSplits([Split(isrc: isrc, shares: [PayeeShare(payee: "C", basisPoints: 5000), PayeeShare(payee: "A", basisPoints: 5000)])])
        XCTAssertEqual(try store.referenceData().splits.first?.shares.map(\.payee), ["C", "A"], "a new split replaces the old, in order")

        try store.importAdvances([Advance(payee: "A", currency: "EUR", amount: MicroAmount(micro: 5_000_000)),
                                  Advance(payee: "A", currency: "EUR", amount: MicroAmount(micro: 1_000_000))])
        try store.importAdvances([Advance(payee: "A", currency: "EUR", amount: MicroAmount(micro: 7_000_000))])
        XCTAssertEqual(try store.advances().map(\.amount.micro), [7_000_000])

        let june = try StatementPeriod(parsing: "2020-06"), july = try StatementPeriod(parsing: "2020-07")
        try store.recordRecoupment(period: june, recouped: ["A": MicroAmount(micro: 2_000_000)])
        try store.recordRecoupment(period: june, recouped: ["A": MicroAmount(micro: 3_000_000)])
        XCTAssertEqual(try store.openingBalances(for: july, currency: "EUR").balances["A"], MicroAmount(micro: 4_000_000))
        XCTAssertEqual(try store.openingBalances(for: june, currency: "EUR").balances["A"], MicroAmount(micro: 7_000_000))

        try store.importRates([RateEntry(currency: "GBP", period: june, rate: ExchangeRate(parsing: "1.1234"))])
        try store.importRates([RateEntry(currency: "GBP", period: june, rate: ExchangeRate(parsing: "1.2"))])
        XCTAssertEqual(try store.referenceData().rates.map(\.rate.description), ["1.2"])
    }

    func testCatalogueFromADeliveredRelease() throws {
        let harness = try StoreHarness()
        let catalog = LedgerCatalog(database: harness.database)
        func track(_ isrc: String, _ number: Int, _ splits: [DDEXModel.Split]) throws -> Track {
            Track(isrc: try ISRC(validating: isrc), title: "Song \(number)", displayArtist: "", artists: [], number: number,
                  file: ResourceFile(path: "resources/\(number).flac"), splits: splits)
        }
        var release = Release(icpn: try ICPN(validating: "1005192837464"), title: "Album", displayArtist: "The Band", artists: [],
                              label: "Label", genre: "Pop", releaseType: "Album",
                              tracks: [try track("USFPL9803517", 1, [.init(payee: "The Band", shareBasisPoints: 7000),
                                                                     .init(payee: "Producer", shareBasisPoints: 3000)]),
                                       try track("USFPL9803518", 2, [])],
                              deals: [])
        let recorded = try catalog.record(release: release, account: "example-label")
        XCTAssertEqual(recorded.tracks, 2)
        XCTAssertEqual(recorded.splits, 1)
        let data = try harness.store.referenceData()
        XCTAssertEqual(data.catalogue.map(\.displayArtist), ["The Band", "The Band"])
        XCTAssertEqual(data.catalogue.map(\.account), ["example-label", "example-label"])
        XCTAssertEqual(data.splits.map(\.shares), [[PayeeShare(payee: "The Band", basisPoints: 7000), PayeeShare(payee: "Producer", basisPoints: 3000)]])

        // A split that does not sum to 10000 rejects the whole release.
        release.title = "Album (deluxe)"
        release.tracks[1].splits = [.init(payee: "Someone", shareBasisPoints: 9000)]
        release.tracks[0].title = "Renamed"
        XCTAssertThrowsError(try catalog.record(release: release, account: "example-label")) { error in
            XCTAssertEqual((error as? LedgerError)?.code, ProblemCode.ledgerSplitSum.rawValue)
        }
        XCTAssertEqual(try harness.store.referenceData().catalogue.map(\.title), ["Song 1", "Song 2"])
    }

    /// Read by several connections at once (summaries shared round-robin), kept or read twice, the store gives
    /// the result one thread reading every line gets, breakdown included.
    func testReadersOnSeveralConnectionsGiveTheSameResult() throws {
        let harness = try StoreHarness()
        try harness.roundTrip(.seed9TwoGzipFilesNegative)
        let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1500)),
                                      reference: harness.store.referenceData())
        let period = try StatementPeriod(parsing: "2020-06")
        let input = try SQLiteLedgerInput(database: harness.database)
        XCTAssertEqual(try input.partitions(3, in: period)?.count, 3)
        let one = try engine.run(period: period, input: input, options: LedgerRunOptions(readers: 0))
        for options in [LedgerRunOptions(readers: 2), LedgerRunOptions(readers: 3), LedgerRunOptions(keptLinesLimit: 50, readers: 2),
                        LedgerRunOptions(readers: 2)] {
            let other = try engine.run(period: period, input: AnyLedgerInput(input), options: options)
            XCTAssertEqual(one.payees, other.payees, "\(options)")
            XCTAssertEqual(one.unmatchedEntries, other.unmatchedEntries, "\(options)")
            XCTAssertEqual(one.summaries, other.summaries, "\(options)")
            XCTAssertEqual(one.accounts, other.accounts, "\(options)")
            XCTAssertEqual(one.problems, other.problems, "\(options)")
        }
        let json = try engine.run(period: period, input: input, options: LedgerRunOptions(collectDetail: false, readers: 2))
        XCTAssertEqual(one.payees.map(\.earnings), json.payees.map(\.earnings))
        XCTAssertEqual(one.unmatchedEntries, json.unmatchedEntries)
    }

    /// The compact breakdown a run keeps equals each payee's lines, and the CSV written from it equals, byte for
    /// byte, the CSV written from the statements' own lines (two independent paths through the writer).
    func testCompactBreakdownEqualsTheLinesAndWritesTheSameCSV() throws {
        let harness = try StoreHarness()
        try harness.roundTrip(.seed9TwoGzipFilesNegative)
        let withLines = try harness.statements(collectDetail: true)
        let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1500)),
                                      reference: harness.store.referenceData())
        let period = try StatementPeriod(parsing: "2020-06")
        let result = try engine.run(period: period, input: SQLiteLedgerInput(database: harness.database),
                                    options: LedgerRunOptions(collectDetail: true, linesInResult: false))
        XCTAssertEqual(result.total, withLines.result.total)
        XCTAssertTrue(result.payees.allSatisfy(\.lines.isEmpty), "the lines stay in the compact breakdown")
        let breakdown = try XCTUnwrap(result.breakdown)
        var rows = 0
        for payee in withLines.result.payees {
            let lines = breakdown.lines(for: payee.payee)
            XCTAssertEqual(lines, payee.lines, payee.payee)
            XCTAssertEqual(lines.reduce(MicroAmount.zero) { $0 + $1.net }, payee.earnings)
            rows += lines.count
        }
        XCTAssertGreaterThan(rows, 100)
        XCTAssertEqual(breakdown.rowCount, rows)

        let balances = try harness.store.openingBalances(for: period, currency: "EUR").balances
        let compact = StatementSet(result: result, openingBalances: balances)
        try harness.verify(compact, against: .seed9TwoGzipFilesNegative)
        var plain = withLines
        plain.result.breakdown = nil
        try StatementWriter.write(compact, format: .csv, to: harness.dir.path + "/compact")
        try StatementWriter.write(plain, format: .csv, to: harness.dir.path + "/plain")
        let csv = try String(contentsOfFile: harness.dir.path + "/compact/statement-lines.csv", encoding: .utf8)
        XCTAssertEqual(csv, try String(contentsOfFile: harness.dir.path + "/plain/statement-lines.csv", encoding: .utf8))
        XCTAssertEqual(csv.components(separatedBy: "\r\n").count - 2, rows)
        try StatementWriter.write(compact, format: .html, to: harness.dir.path + "/html")
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.dir.path + "/html/index.html"))
    }
}
