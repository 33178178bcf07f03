import DDEXModel
import Foundation
import Store

/// The ledger's reference data in the daemon's SQLite store (tables `ledger_*`, migration `ledger`).
///
/// Every import runs in one transaction: a file is parsed whole before anything is written (the parsers reject
/// a file with any bad row), and a failure while writing rolls the whole file back.
public final class SQLiteLedgerStore: LedgerStore, LedgerPackageRecording {
    public let database: Database

    /// Uses an open database; the ledger migration must have been applied (`Database.openMigrated`).
    public init(database: Database) {
        self.database = database
    }

    // MARK: Reading

    public func referenceData() throws -> LedgerReferenceData {
        var rows = LedgerReferenceRows()
        let catalogue = try database.prepare("SELECT icpn, isrc, title, display_artist, account FROM ledger_catalogue ORDER BY icpn, isrc")
        while try catalogue.step() {
            try rows.catalogue(icpn: catalogue.string(at: 0), isrc: catalogue.string(at: 1), title: catalogue.string(at: 2),
                               displayArtist: catalogue.string(at: 3), account: catalogue.string(at: 4))
        }
        let splits = try database.prepare("SELECT isrc, payee, share_bp FROM ledger_splits ORDER BY isrc, position")
        while try splits.step() {
            try rows.splitShare(isrc: splits.string(at: 0), payee: splits.string(at: 1), basisPoints: splits.int(at: 2))
        }
        let rates = try database.prepare("SELECT currency, period, rate FROM ledger_rates ORDER BY currency, period")
        while try rates.step() {
            try rows.rate(currency: rates.string(at: 0), period: rates.string(at: 1), rate: rates.string(at: 2))
        }
        let accounts = try database.prepare("SELECT account, commission_bp FROM ledger_accounts ORDER BY account")
        while try accounts.step() {
            rows.account(name: accounts.string(at: 0), commissionBasisPoints: accounts.int(at: 1))
        }
        let payeeAccounts = try database.prepare("SELECT DISTINCT payee, account FROM ledger_advances WHERE account IS NOT NULL ORDER BY payee")
        while try payeeAccounts.step() {
            try rows.payeeAccount(payee: payeeAccounts.string(at: 0), account: payeeAccounts.string(at: 1))
        }
        let mappings = try database.prepare("SELECT icpn, dsp_resource_id, isrc FROM ledger_resource_mappings ORDER BY icpn, dsp_resource_id")
        while try mappings.step() {
            try rows.resourceMapping(icpn: mappings.string(at: 0), dspResourceId: mappings.string(at: 1), isrc: mappings.string(at: 2))
        }
        return rows.data
    }

    public func advances() throws -> [Advance] {
        let statement = try database.prepare("SELECT payee, currency, amount_micro, account FROM ledger_advances ORDER BY payee, position")
        var result: [Advance] = []
        while try statement.step() {
            result.append(Advance(payee: statement.string(at: 0) ?? "", currency: statement.string(at: 1) ?? "",
                                  amount: MicroAmount(micro: statement.int64(at: 2)), account: statement.string(at: 3)))
        }
        return result
    }

    public func recouped(before period: StatementPeriod) throws -> [String: MicroAmount] {
        let statement = try database.prepare("""
            SELECT payee, sum(recouped_micro) FROM ledger_recoupments WHERE period_end < ? GROUP BY payee
            """)
        try statement.bind(period.start.description, at: 1)
        var result: [String: MicroAmount] = [:]
        while try statement.step() {
            result[statement.string(at: 0) ?? ""] = MicroAmount(micro: statement.int64(at: 1))
        }
        return result
    }

    // MARK: Writing

    public func recordPackage(catalogue: [CatalogueEntry], splits: [Split]) throws {
        try database.transaction {
            try writeCatalogue(catalogue, source: "package")
            try writeSplits(splits)
        }
    }

    public func importCatalogue(_ entries: [CatalogueEntry]) throws {
        try database.transaction { try self.writeCatalogue(entries, source: "import") }
    }

    func writeCatalogue(_ entries: [CatalogueEntry], source: String) throws {
        let insert = try database.prepare("""
            INSERT INTO ledger_catalogue (icpn, isrc, title, display_artist, account, source, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (icpn, isrc) DO UPDATE SET title = excluded.title, display_artist = excluded.display_artist,
                account = excluded.account, source = excluded.source, updated_at = excluded.updated_at
            """)
        let now = Timestamp.format()
        for entry in entries {
            try insert.bind([.text(entry.icpn.value), .text(entry.isrc.value), .text(entry.title), .text(entry.displayArtist),
                             .text(entry.account), .text(source), .text(now)])
            try insert.run()
        }
    }

    public func importSplits(_ splits: [Split]) throws {
        try database.transaction { try self.writeSplits(splits) }
    }

    func writeSplits(_ splits: [Split]) throws {
        let delete = try database.prepare("DELETE FROM ledger_splits WHERE isrc = ?")
        let insert = try database.prepare("INSERT INTO ledger_splits (isrc, position, payee, share_bp) VALUES (?, ?, ?, ?)")
        for split in splits {
            try split.checkSum()
            try delete.bind(split.isrc.value, at: 1)
            try delete.run()
            for (position, share) in split.shares.enumerated() {
                try insert.bind([.text(split.isrc.value), .integer(Int64(position)), .text(share.payee),
                                 .integer(Int64(share.basisPoints))])
                try insert.run()
            }
        }
    }

    public func importAdvances(_ advances: [Advance]) throws {
        try database.transaction {
            let delete = try database.prepare("DELETE FROM ledger_advances WHERE payee = ?")
            for payee in Set(advances.map(\.payee)) {
                try delete.bind(payee, at: 1)
                try delete.run()
            }
            let insert = try database.prepare("""
                INSERT INTO ledger_advances (payee, position, currency, amount_micro, account)
                VALUES (?1, (SELECT count(*) FROM ledger_advances WHERE payee = ?1), ?2, ?3, ?4)
                """)
            for advance in advances {
                try insert.bind([.text(advance.payee), .text(advance.currency), .integer(advance.amount.micro),
                                 advance.account.map { .text($0) } ?? .null])
                try insert.run()
            }
        }
    }

    public func importRates(_ rates: [RateEntry]) throws {
        try database.transaction {
            let insert = try database.prepare("""
                INSERT INTO ledger_rates (currency, period, period_start, period_end, rate) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (currency, period) DO UPDATE SET rate = excluded.rate
                """)
            for rate in rates {
                try insert.bind([.text(rate.currency), .text(rate.period.description), .text(rate.period.start.description),
                                 .text(rate.period.end.description), .text(rate.rate.description)])
                try insert.run()
            }
        }
    }

    public func importAccounts(_ accounts: [LedgerAccount]) throws {
        try database.transaction {
            let insert = try database.prepare("""
                INSERT INTO ledger_accounts (account, commission_bp) VALUES (?, ?)
                ON CONFLICT (account) DO UPDATE SET commission_bp = excluded.commission_bp
                """)
            for account in accounts {
                try insert.bind([.text(account.name), .integer(Int64(account.commissionBasisPoints))])
                try insert.run()
            }
        }
    }

    public func importResourceMappings(_ mappings: [ResourceMapping]) throws {
        try database.transaction {
            let insert = try database.prepare("""
                INSERT INTO ledger_resource_mappings (icpn, dsp_resource_id, isrc) VALUES (?, ?, ?)
                ON CONFLICT (icpn, dsp_resource_id) DO UPDATE SET isrc = excluded.isrc
                """)
            for m in mappings {
                try insert.bind([.text(m.icpn), .text(m.dspResourceId), .text(m.isrc.value)])
                try insert.run()
            }
        }
    }

    public func recordRecoupment(period: StatementPeriod, recouped: [String: MicroAmount]) throws {
        try database.transaction {
            try database.run("DELETE FROM ledger_recoupments WHERE period = ?", .text(period.description))
            let insert = try database.prepare("""
                INSERT INTO ledger_recoupments (period, period_start, period_end, payee, recouped_micro, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            let now = Timestamp.format()
            for (payee, amount) in recouped.sorted(by: { $0.key < $1.key }) {
                try insert.bind([.text(period.description), .text(period.start.description), .text(period.end.description),
                                 .text(payee), .integer(amount.micro), .text(now)])
                try insert.run()
            }
        }
    }
}
