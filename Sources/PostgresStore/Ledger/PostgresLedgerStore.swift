import DDEXModel
import Ledger
import Store

/// The ledger's reference data on PostgreSQL (tables `ledger_*`): `LedgerStore` with the SQLite store's rules
/// (`LedgerReferenceRows`, `Split.checkSum`), and `LedgerPackageRecording` for `LedgerCatalog`.
///
/// Every import runs in one `SERIALIZABLE` transaction: a rejected file changes nothing, and imports from several
/// instances apply one after the other. Rows go in as one array per column (`unnest`), thousands per round trip;
/// an import that names a key twice keeps its last row, as SQLite's row-by-row upserts do. Reads see one snapshot
/// and order text byte by byte (`COLLATE "C"`), as SQLite does.
public final class PostgresLedgerStore: LedgerStore, LedgerPackageRecording {
    public let database: PostgresDatabase

    /// Uses a connected database; the ledger migrations must have been applied.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    // MARK: Reading

    public func referenceData() throws -> LedgerReferenceData {
        try database.read { session in
            var rows = LedgerReferenceRows()
            for r in try session.query("SELECT icpn, isrc, title, display_artist, account FROM ledger_catalogue ORDER BY icpn COLLATE \"C\", isrc COLLATE \"C\"") {
                let t = "ledger_catalogue"
                try rows.catalogue(icpn: try r.value("icpn", in: t), isrc: try r.value("isrc", in: t), title: try r.value("title", in: t),
                                   displayArtist: try r.value("display_artist", in: t), account: try r.value("account", in: t))
            }
            for r in try session.query("SELECT isrc, payee, share_bp FROM ledger_splits ORDER BY isrc COLLATE \"C\", position") {
                try rows.splitShare(isrc: try r.value("isrc", in: "ledger_splits"), payee: try r.value("payee", in: "ledger_splits"),
                                    basisPoints: try r.value("share_bp", in: "ledger_splits"))
            }
            for r in try session.query("SELECT currency, period, rate FROM ledger_rates ORDER BY currency COLLATE \"C\", period COLLATE \"C\"") {
                try rows.rate(currency: try r.value("currency", in: "ledger_rates"), period: try r.value("period", in: "ledger_rates"),
                              rate: try r.value("rate", in: "ledger_rates"))
            }
            for r in try session.query("SELECT account, commission_bp FROM ledger_accounts ORDER BY account COLLATE \"C\"") {
                rows.account(name: try r.value("account", in: "ledger_accounts"), commissionBasisPoints: try r.value("commission_bp", in: "ledger_accounts"))
            }
            for r in try session.query("""
                SELECT payee, account FROM ledger_advances WHERE account IS NOT NULL
                GROUP BY payee, account ORDER BY payee COLLATE "C", account COLLATE "C"
                """) {
                try rows.payeeAccount(payee: try r.value("payee", in: "ledger_advances"), account: try r.value("account", in: "ledger_advances"))
            }
            for r in try session.query("""
                SELECT icpn, dsp_resource_id, isrc FROM ledger_resource_mappings ORDER BY icpn COLLATE "C", dsp_resource_id COLLATE "C"
                """) {
                let t = "ledger_resource_mappings"
                try rows.resourceMapping(icpn: try r.value("icpn", in: t), dspResourceId: try r.value("dsp_resource_id", in: t),
                                         isrc: try r.value("isrc", in: t))
            }
            return rows.data
        }
    }

    public func advances() throws -> [Advance] {
        let t = "ledger_advances"
        return try database.read { session in
            try session.query("SELECT payee, currency, amount_micro, account FROM ledger_advances ORDER BY payee COLLATE \"C\", position").map { r in
                Advance(payee: try r.value("payee", in: t), currency: try r.value("currency", in: t),
                        amount: MicroAmount(micro: try r.value("amount_micro", in: t)), account: try r.optionalValue("account", in: t))
            }
        }
    }

    public func recouped(before period: StatementPeriod) throws -> [String: MicroAmount] {
        try database.read { session in
            var result: [String: MicroAmount] = [:]
            for r in try session.query("""
                SELECT payee, sum(recouped_micro)::bigint AS recouped FROM ledger_recoupments
                WHERE period_end < $1 COLLATE "C" GROUP BY payee
                """, [period.start.description]) {
                result[try r.value("payee", in: "ledger_recoupments")] = MicroAmount(micro: try r.value("recouped", in: "ledger_recoupments"))
            }
            return result
        }
    }

    // MARK: Writing

    public func recordPackage(catalogue: [CatalogueEntry], splits: [Ledger.Split]) throws {
        for split in splits { try split.checkSum() }
        try database.write { session in
            try Self.writeCatalogue(catalogue, source: "package", session)
            try Self.writeSplits(splits, session)
        }
    }

    public func importCatalogue(_ entries: [CatalogueEntry]) throws {
        try database.write { session in try Self.writeCatalogue(entries, source: "import", session) }
    }

    public func importSplits(_ splits: [Ledger.Split]) throws {
        for split in splits { try split.checkSum() }
        try database.write { session in try Self.writeSplits(splits, session) }
    }

    public func importAdvances(_ advances: [Advance]) throws {
        // Each payee's advances replace the ones it had, numbered in the order given.
        var positions: [String: Int64] = [:]
        let numbered = advances.map { advance -> (Advance, Int64) in
            defer { positions[advance.payee, default: 0] += 1 }
            return (advance, positions[advance.payee, default: 0])
        }
        try database.write { session in
            try session.execute("DELETE FROM ledger_advances WHERE payee = ANY($1)", [Array(positions.keys)])
            try session.insertColumns(numbered, """
                INSERT INTO ledger_advances (payee, position, currency, amount_micro, account)
                SELECT payee, position, currency, amount, CASE WHEN has_account THEN account END
                FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::boolean[])
                    AS a (payee, position, currency, amount, account, has_account)
                """) { rows in
                [rows.map(\.0.payee), rows.map(\.1), rows.map(\.0.currency), rows.map(\.0.amount.micro),
                 rows.map { $0.0.account ?? "" }, rows.map { $0.0.account != nil }]
            }
        }
    }

    public func importRates(_ rates: [RateEntry]) throws {
        let kept = rates.keepingLast { [$0.currency, $0.period.description] }
        try database.write { session in
            try session.insertColumns(kept, """
                INSERT INTO ledger_rates (currency, period, period_start, period_end, rate)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                ON CONFLICT (currency, period) DO UPDATE SET rate = excluded.rate
                """) { rows in
                [rows.map(\.currency), rows.map(\.period.description), rows.map(\.period.start.description),
                 rows.map(\.period.end.description), rows.map(\.rate.description)]
            }
        }
    }

    public func importAccounts(_ accounts: [LedgerAccount]) throws {
        let kept = accounts.keepingLast { [$0.name] }
        try database.write { session in
            try session.insertColumns(kept, """
                INSERT INTO ledger_accounts (account, commission_bp) SELECT * FROM unnest($1::text[], $2::bigint[])
                ON CONFLICT (account) DO UPDATE SET commission_bp = excluded.commission_bp
                """) { rows in [rows.map(\.name), rows.map { Int64($0.commissionBasisPoints) }] }
        }
    }

    public func importResourceMappings(_ mappings: [ResourceMapping]) throws {
        let kept = mappings.keepingLast { [$0.icpn, $0.dspResourceId] }
        try database.write { session in
            try session.insertColumns(kept, """
                INSERT INTO ledger_resource_mappings (icpn, dsp_resource_id, isrc) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
                ON CONFLICT (icpn, dsp_resource_id) DO UPDATE SET isrc = excluded.isrc
                """) { rows in [rows.map(\.icpn), rows.map(\.dspResourceId), rows.map(\.isrc.value)] }
        }
    }

    public func recordRecoupment(period: StatementPeriod, recouped: [String: MicroAmount]) throws {
        let rows = recouped.sorted { $0.key < $1.key }
        let now = Timestamp.format()
        try database.write { session in
            try session.execute("DELETE FROM ledger_recoupments WHERE period = $1", [period.description])
            try session.insertColumns(rows, """
                INSERT INTO ledger_recoupments (period, period_start, period_end, payee, recouped_micro, recorded_at)
                SELECT $1, $2, $3, payee, recouped, $4 FROM unnest($5::text[], $6::bigint[]) AS r (payee, recouped)
                """, fixed: [period.description, period.start.description, period.end.description, now]) { rows in
                [rows.map(\.key), rows.map(\.value.micro)]
            }
        }
    }

    // MARK: Inside a transaction

    private static func writeCatalogue(_ entries: [CatalogueEntry], source: String, _ session: PostgresSession) throws {
        let kept = entries.keepingLast { [$0.icpn.value, $0.isrc.value] }
        try session.insertColumns(kept, """
            INSERT INTO ledger_catalogue (icpn, isrc, title, display_artist, account, source, updated_at)
            SELECT icpn, isrc, title, display_artist, account, $1, $2
            FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS c (icpn, isrc, title, display_artist, account)
            ON CONFLICT (icpn, isrc) DO UPDATE SET title = excluded.title, display_artist = excluded.display_artist,
                account = excluded.account, source = excluded.source, updated_at = excluded.updated_at
            """, fixed: [source, Timestamp.format()]) { rows in
            [rows.map(\.icpn.value), rows.map(\.isrc.value), rows.map(\.title), rows.map(\.displayArtist), rows.map(\.account)]
        }
    }

    /// Replaces the split of every ISRC in `splits` (a later split of the same ISRC wins).
    private static func writeSplits(_ splits: [Ledger.Split], _ session: PostgresSession) throws {
        let kept = splits.keepingLast { [$0.isrc.value] }
        try session.execute("DELETE FROM ledger_splits WHERE isrc = ANY($1)", [kept.map(\.isrc.value)])
        let shares = kept.flatMap { split in split.shares.enumerated().map { (split.isrc.value, Int64($0.offset), $0.element) } }
        try session.insertColumns(shares, """
            INSERT INTO ledger_splits (isrc, position, payee, share_bp) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[])
            """) { rows in [rows.map(\.0), rows.map(\.1), rows.map(\.2.payee), rows.map { Int64($0.2.basisPoints) }] }
    }
}
