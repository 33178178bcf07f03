import DDEXModel
import Foundation
import Ledger
import PostgresStore
import Store
import TestSupport
import XCTest

/// `LedgerStore` and the catalogue a delivered package writes, on PostgreSQL: the same calls leave the same
/// reference data, advances and recoupment as on SQLite.
final class PostgresLedgerStoreTests: PostgresStoreTestCase {
    private func stores() throws -> (sqlite: SQLiteLedgerStore, postgres: PostgresLedgerStore) {
        let sqlite = try Database.openMigrated(path: directory.path + "/ledger.sqlite")
        return (SQLiteLedgerStore(database: sqlite), PostgresLedgerStore(database: try makeDatabase()))
    }

    /// Imports that replace, upsert and name a key twice, then recoupment over two periods: each step reads back
    /// alike on both engines.
    func testImportsAndRecoupmentReadBackAlikeOnBothEngines() throws {
        let (sqlite, postgres) = try stores()
        let isrc = try ISRC(validating: "USFPL9803517"), other = try ISRC(validating: "USFPL9803518")
        let june = try StatementPeriod(parsing: "2020-06"), july = try StatementPeriod(parsing: "2020-07")
        var readBack: [[String]] = [[], []]
        for (index, store) in ([sqlite, postgres] as [any LedgerStore]).enumerated() {
            func note() throws {
                let data = try store.referenceData()
                readBack[index].append("\(data.catalogue) \(data.splits) \(data.rates) \(data.accounts) \(data.payeeAccounts) \(data.resourceMappings)")
                readBack[index].append("\(try store.advances()) \(try store.recouped(before: july).sorted { $0.key < $1.key })")
            }
            try store.importCatalogue([CatalogueEntry(icpn: try ICPN(validating: "1005192837464"), isrc: isrc, title: "a", displayArtist: "x"),
                                       CatalogueEntry(icpn: try ICPN(validating: "1005192837464"), isrc: other, title: "b", displayArtist: "y",
                                                      account: "label-b"),
                                       CatalogueEntry(icpn: try ICPN(validating: "1005192837464"), isrc: isrc, title: "a2", displayArtist: "x")])
            try store.importSplits([Split(isrc: isrc, shares: [PayeeShare(payee: "B", basisPoints: 3334), PayeeShare(payee: "A", basisPoints: 6666)])])
            try store.importSplits([Split(isrc: isrc, shares: [PayeeShare(payee: "C", basisPoints: 5000), PayeeShare(payee: "A", basisPoints: 5000)]),
                                    Split(isrc: other, shares: [PayeeShare(payee: "Z", basisPoints: 10_000)])])
            XCTAssertThrowsError(try store.importSplits([Split(isrc: other, shares: [PayeeShare(payee: "Z", basisPoints: 9000)])])) { error in
                XCTAssertEqual((error as? LedgerError)?.code, ProblemCode.ledgerSplitSum.rawValue)
            }
            try note()
            try store.importAdvances([Advance(payee: "A", currency: "EUR", amount: MicroAmount(micro: 5_000_000)),
                                      Advance(payee: "A", currency: "EUR", amount: MicroAmount(micro: 1_000_000), account: "default"),
                                      Advance(payee: "Z", currency: "GBP", amount: MicroAmount(micro: 2_000_000), account: "label-b")])
            try store.importAdvances([Advance(payee: "A", currency: "EUR", amount: MicroAmount(micro: 7_000_000))])
            try store.importRates([RateEntry(currency: "GBP", period: june, rate: ExchangeRate(parsing: "1.1234")),
                                   RateEntry(currency: "USD", period: june, rate: ExchangeRate(parsing: "0.9"))])
            try store.importRates([RateEntry(currency: "GBP", period: june, rate: ExchangeRate(parsing: "1.2"))])
            try store.importAccounts([LedgerAccount(name: "label-b", commissionBasisPoints: 2000),
                                      LedgerAccount(name: "default", commissionBasisPoints: 1000),
                                      LedgerAccount(name: "label-b", commissionBasisPoints: 2500)])
            try store.importResourceMappings([ResourceMapping(icpn: "1005192837464", dspResourceId: "R1", isrc: other),
                                              ResourceMapping(icpn: "1005192837464", dspResourceId: "R1", isrc: isrc)])
            try note()
            try store.recordRecoupment(period: june, recouped: ["A": MicroAmount(micro: 2_000_000), "Z": MicroAmount(micro: 1)])
            try store.recordRecoupment(period: june, recouped: ["A": MicroAmount(micro: 3_000_000)])
            XCTAssertEqual(try store.openingBalances(for: july, currency: "EUR").balances["A"], MicroAmount(micro: 4_000_000))
            XCTAssertEqual(try store.openingBalances(for: june, currency: "EUR").balances["A"], MicroAmount(micro: 7_000_000))
            try note()
        }
        XCTAssertEqual(readBack[1], readBack[0])
        XCTAssertEqual(try postgres.referenceData().rates.map(\.rate.description), ["1.2", "0.9"])
    }

    /// `LedgerCatalog` on PostgreSQL: a delivered release's tracks and splits, all or nothing, as on SQLite.
    func testCatalogueFromADeliveredReleaseAlikeOnBothEngines() throws {
        let (sqlite, postgres) = try stores()
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
        for store in [sqlite, postgres] as [any LedgerStore & LedgerPackageRecording] {
            let recorded = try LedgerCatalog(store: store).record(release: release, account: "example-label")
            XCTAssertEqual(recorded.tracks, 2)
            XCTAssertEqual(recorded.splits, 1)
        }
        let data = try postgres.referenceData()
        XCTAssertEqual(data.catalogue, try sqlite.referenceData().catalogue)
        XCTAssertEqual(data.splits, try sqlite.referenceData().splits)
        XCTAssertEqual(data.catalogue.map(\.account), ["example-label", "example-label"])

        // A split that does not sum to 10000 rejects the whole release, on both.
        release.tracks[1].splits = [.init(payee: "Someone", shareBasisPoints: 9000)]
        release.tracks[0].title = "Renamed"
        for store in [sqlite, postgres] as [any LedgerStore & LedgerPackageRecording] {
            XCTAssertThrowsError(try LedgerCatalog(store: store).record(release: release, account: "example-label")) { error in
                XCTAssertEqual((error as? LedgerError)?.code, ProblemCode.ledgerSplitSum.rawValue)
            }
            XCTAssertEqual(try store.referenceData().catalogue.map(\.title), ["Song 1", "Song 2"])
        }
    }
}
