import ArgumentParser
import DDEXConfig
import DDEXModel
import Foundation
import Ledger

/// `ddexd import catalog|splits|advances|rates FILE.csv [--account NAME]`: loads accounting reference data.
/// A file with any bad row is rejected whole (every problem listed with file and line) and nothing changes.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the catalogue, splits, advances or exchange rates from CSV.",
        discussion: """
        catalog.csv   icpn,isrc,title,display_artist
        splits.csv    isrc,payee,share_bp      (rows of one ISRC in split order, summing to 10000)
        advances.csv  payee,currency,amount    (in the accounting currency; replaces the payee's advances)
        rates.csv     currency,period,rate     (accounting-currency units per unit, per DSR period)
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "What the file holds: catalog, splits, advances or rates.")
    var kind: String

    @Argument(help: "The CSV file (RFC 4180, UTF-8, with a header row).")
    var file: String

    @Option(help: "Account the catalogue rows belong to (default: the only configured account).")
    var account: String?

    func validate() throws {
        guard LedgerImportKind(rawValue: kind) != nil else {
            throw ValidationError("the kind must be catalog, splits, advances or rates, not '\(kind)'")
        }
        if account != nil, kind != LedgerImportKind.catalog.rawValue {
            throw ValidationError("--account applies to catalog imports only")
        }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        guard let kind = LedgerImportKind(rawValue: kind) else { return }
        let account: String
        if let requested = self.account {
            guard configuration.accounts[requested] != nil else {
                throw ValidationError("no account '\(requested)' in \(configuration.sourcePath); configured: \(configuration.accounts.keys.sorted().joined(separator: ", "))")
            }
            account = requested
        } else if configuration.accounts.count == 1, let only = configuration.accounts.keys.first {
            account = only
        } else {
            guard kind != .catalog || configuration.accounts.isEmpty else {
                throw ValidationError("several accounts are configured: name one with --account")
            }
            account = CatalogueEntry.defaultAccount
        }
        let backend = try LedgerBackend.open(configuration)
        let count = try LedgerImport.importFile(kind, path: file, into: backend.store, account: account,
                                                accountingCurrency: configuration.accounting.currency)
        print("imported \(count) \(kind.rawValue) row(s) from \(file)\(kind == .catalog ? " into account \(account)" : "")")
    }
}
