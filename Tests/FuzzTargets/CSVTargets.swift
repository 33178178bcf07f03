import Foundation
import Ledger

/// The accounting CSV imports (`ddexd import catalog|splits|advances|rates`): a file is taken whole or
/// refused whole, with the file and line of the first bad row.
enum CSVTargets {
    static let all: [FuzzTarget] = [
        ("catalog", "catalog.csv"), ("splits", "splits.csv"), ("advances", "advances.csv"), ("rates", "rates.csv"),
    ].map { kind, fileName in
        FuzzTarget("import-\(kind)", "\(fileName) as ddexd import \(kind) reads it") { bytes throws(FuzzViolation) in
            let url = try FuzzScratch.shared.write(bytes, as: fileName)
            do {
                switch kind {
                case "catalog": _ = try LedgerImport.catalogue(path: url.path)
                case "splits": _ = try LedgerImport.splits(path: url.path)
                case "advances": _ = try LedgerImport.advances(path: url.path, accountingCurrency: "EUR")
                default: _ = try LedgerImport.rates(path: url.path)
                }
            } catch {
                try FuzzInvariants.checkRefusal(error, place: fileName)
            }
        }
    }
}
