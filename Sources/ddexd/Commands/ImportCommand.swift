import ArgumentParser
import DDEXConfig
import DDEXModel
import Foundation
import Ledger

/// `ddexd import catalog|splits|advances|rates|accounts FILE.csv [--account NAME]`: loads accounting reference data.
/// A file with any bad row is rejected whole (every problem listed with file and line) and nothing changes.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the catalogue, splits, advances, exchange rates or client accounts from CSV.",
        discussion: """
        catalog.csv   icpn,isrc,title,display_artist[,account]  (the account column wins over --account)
        splits.csv    isrc,payee,share_bp      (rows of one ISRC in split order, summing to 10000)
        advances.csv  payee,currency,amount[,account]  (in the accounting currency; replaces the payee's advances)
        rates.csv     currency,period,rate     (accounting-currency units per unit, per DSR period)
        accounts.csv  account,commission_bp    (client accounts and their commission, over the configured rate)
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "What the file holds: catalog, splits, advances, rates or accounts.")
    var kind: LedgerImportKind

    @Argument(help: "The CSV file (RFC 4180, UTF-8, with a header row).")
    var file: String

    @Option(help: "Account the catalogue rows belong to (default: the only configured account).")
    var account: String?

    func validate() throws {
        if account != nil, kind != .catalog {
            throw ValidationError("--account applies to catalog imports only")
        }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        // The account of catalogue rows without an account column: --account, else the only configured account;
        // with several configured, none (such a row is refused, naming its line).
        let account: String?
        if let requested = self.account {
            guard configuration.accounts[requested] != nil else {
                throw ValidationError("no account '\(requested)' in \(configuration.sourcePath); configured: \(configuration.accounts.keys.sorted().joined(separator: ", "))")
            }
            account = requested
        } else if configuration.accounts.count == 1, let only = configuration.accounts.keys.first {
            account = only
        } else {
            account = configuration.accounts.isEmpty ? CatalogueEntry.defaultAccount : nil
        }
        let store = try StoreConnection(configuration, logger: CommandLogging.logger(label: "ddexd.import"))
        defer { store.close() }
        let backend = try store.ledger(configuration)
        let count = try LedgerImport.importFile(kind, path: file, into: backend.store, account: account,
                                                accountingCurrency: configuration.accounting.currency)
        let into = kind == .catalog ? " (rows without an account column into account \(account ?? "-"))" : ""
        print("imported \(count) \(kind.rawValue) row(s) from \(file)\(into)")
    }
}
