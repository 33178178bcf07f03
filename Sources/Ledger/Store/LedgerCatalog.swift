import DDEXModel
import Store

/// A ledger store that records what a delivered package says of its tracks, whatever its engine
/// (`SQLiteLedgerStore`, `PostgresLedgerStore`).
public protocol LedgerPackageRecording: AnyObject {
    /// In one transaction: adds or updates `catalogue` (source `package`) and replaces the split of every ISRC in
    /// `splits`. Nothing is written when anything fails.
    func recordPackage(catalogue: [CatalogueEntry], splits: [Split]) throws
}

/// Fills the ledger's catalogue and splits from delivered packages: the daemon calls `record(release:account:)`
/// when a package validates, so sales of its tracks match without a catalog.csv import. The rules are here; the
/// store (SQLite or PostgreSQL) only writes what they decided.
public struct LedgerCatalog {
    public let store: any LedgerPackageRecording

    /// Records into the SQLite store of `database`.
    public init(database: Database) {
        self.store = SQLiteLedgerStore(database: database)
    }

    public init(store: any LedgerPackageRecording) {
        self.store = store
    }

    /// What `record` wrote.
    public struct Recorded: Sendable, Hashable {
        /// Catalogue rows (ICPN × ISRC) added or updated; 0 when the release has no ICPN.
        public var tracks: Int
        /// Tracks whose split was replaced (tracks without splits keep the split they had).
        public var splits: Int
    }

    /// Records every track of `release` in the catalogue of `account` (ICPN, ISRC, title, display artist) and
    /// replaces the split of every track that declares one, in one transaction.
    ///
    /// A release without an ICPN adds no catalogue rows (the catalogue is keyed by ICPN and ISRC; lines still
    /// match by ISRC once a catalogue row exists) but its splits are recorded. A track whose split does not sum to
    /// 10000 bp rejects the whole release with `LEDGER_SPLIT_SUM` and nothing is written.
    @discardableResult
    public func record(release: Release, account: String) throws -> Recorded {
        var entries: [CatalogueEntry] = []
        var splits: [Split] = []
        for (index, track) in release.tracks.enumerated() {
            if let icpn = release.icpn {
                entries.append(CatalogueEntry(icpn: icpn, isrc: track.isrc, title: track.title,
                                              displayArtist: track.displayArtist.isEmpty ? release.displayArtist : track.displayArtist,
                                              account: account))
            }
            guard !track.splits.isEmpty else { continue }
            let total = track.splits.reduce(0) { $0 + $1.shareBasisPoints }
            guard total == 10_000, track.splits.allSatisfy({ (1...10_000).contains($0.shareBasisPoints) && !$0.payee.isEmpty }) else {
                throw LedgerError(.ledgerSplitSum, at: "release \(release.primaryId) track \(index + 1) (\(track.isrc))",
                                  "the split's shares sum to \(total) bp (each 1...10000, payees named); they must sum to 10000")
            }
            var seen: Set<String> = []
            for share in track.splits where !seen.insert(share.payee).inserted {
                throw LedgerError(.ledgerDuplicateRow, at: "release \(release.primaryId) track \(index + 1) (\(track.isrc))",
                                  "\(share.payee) is listed twice in the split")
            }
            splits.append(Split(isrc: track.isrc, shares: track.splits.map { PayeeShare(payee: $0.payee, basisPoints: $0.shareBasisPoints) }))
        }
        try store.recordPackage(catalogue: entries, splits: splits)
        return Recorded(tracks: entries.count, splits: splits.count)
    }
}

extension LedgerCatalog {
    /// Records a valid release of an account in the catalogue (what the daemon's package processor calls).
    public typealias Recorder = @Sendable (_ release: Release, _ account: String) throws -> Void

    /// Records releases in the catalogue of the SQLite store `store`, through its one writer.
    public static func recorder(sqlite store: StoreDatabase) -> Recorder {
        let shared = SharedDatabase(store)
        return { release, account in
            try shared.withDatabase { db in _ = try LedgerCatalog(database: db).record(release: release, account: account) }
        }
    }
}
