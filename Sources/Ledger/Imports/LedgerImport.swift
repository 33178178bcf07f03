import DDEXModel

/// The ledger's CSV inputs, as dsrgen writes them. Each parse reads the whole file first: any bad row
/// rejects the file (every problem is listed with file and line) and nothing is imported.
public enum LedgerImportKind: String, Sendable, CaseIterable, Codable {
    /// `icpn,isrc,title,display_artist[,account]`
    case catalog
    /// `isrc,payee,share_bp`, rows of one ISRC in split order, shares summing to 10000: read by the one splits
    /// reader, `SplitsCSVReader`, with its rules and codes
    case splits
    /// `payee,currency,amount[,account]`
    case advances
    /// `currency,period,rate`
    case rates
    /// `account,commission_bp`: the distributor's client accounts and each one's commission
    case accounts

    public var header: [String] {
        switch self {
        case .catalog: ["icpn", "isrc", "title", "display_artist"]
        case .splits: SplitsCSVReader.header
        case .advances: ["payee", "currency", "amount"]
        case .rates: ["currency", "period", "rate"]
        case .accounts: ["account", "commission_bp"]
        }
    }

    /// A last column the file may add (dsrgen `--accounts` writes it): the account of the row.
    public var optionalLastColumn: String? {
        switch self {
        case .catalog, .advances: "account"
        case .splits, .rates, .accounts: nil
        }
    }
}

/// Parsers for the ledger's CSV files.
public enum LedgerImport {
    /// At most this many problems are listed for one file.
    static let problemLimit = 100

    /// Reads `path`, checks its header, and calls `row` for each data row (with the optional last column, or ""
    /// when the file has none); collects problems.
    private static func read(_ kind: LedgerImportKind, path: String,
                             _ row: ([String], String, inout [Problem]) throws -> Void) throws
    {
        var problems: [Problem] = []
        var columns = 0
        try CSVReader(path: path).forEachRecord { fields, line in
            let location = "\(path):\(line)"
            if columns == 0 {
                let withOptional = kind.optionalLastColumn.map { kind.header + [$0] }
                guard fields == kind.header || fields == withOptional else {
                    let optional = kind.optionalLastColumn.map { "[,\($0)]" } ?? ""
                    throw LedgerError(.ledgerCSVHeader, at: location,
                                      "the header is '\(fields.joined(separator: ","))'; a \(kind.rawValue) file starts with '\(kind.header.joined(separator: ","))\(optional)'")
                }
                columns = fields.count
                return
            }
            guard fields.count == columns else {
                problems.append(.error(.ledgerCSVMalformed, at: location, "the row has \(fields.count) fields, the header \(columns)"))
                return
            }
            var fields = fields
            if columns == kind.header.count, kind.optionalLastColumn != nil { fields.append("") }
            if problems.count < problemLimit { try row(fields, location, &problems) }
        }
        guard columns > 0 else {
            throw LedgerError(.ledgerCSVHeader, at: "\(path):1", "the file is empty; it must start with '\(kind.header.joined(separator: ","))'")
        }
        if !problems.isEmpty { throw LedgerError(problems: Array(problems.prefix(problemLimit))) }
    }

    /// Parses catalog.csv; every row is a track of its `account` column, else of `account` (a row with neither
    /// is refused: with several accounts, a track of no account could be paid by any).
    public static func catalogue(path: String, account: String? = CatalogueEntry.defaultAccount) throws -> [CatalogueEntry] {
        var entries: [CatalogueEntry] = []
        var seen: [String: String] = [:]
        try read(.catalog, path: path) { f, location, problems in
            do throws(IdentifierError) {
                let icpn = try ICPN(validating: f[0])
                let isrc = try ISRC(validating: f[1])
                guard !f[2].isEmpty else {
                    problems.append(.error(.ledgerCSVMalformed, at: location, "the title is empty"))
                    return
                }
                let key = icpn.value + "/" + isrc.value
                if let first = seen[key] {
                    problems.append(.error(.ledgerDuplicateRow, at: location, "\(isrc) on \(icpn) is listed twice (first at \(first))"))
                    return
                }
                guard let owner = accountName(f[4], default: account, at: location, &problems) else { return }
                guard !owner.isEmpty else {
                    problems.append(.error(.ledgerAccountInvalid, at: location, "the row names no account; give the account column or --account"))
                    return
                }
                seen[key] = location
                entries.append(CatalogueEntry(icpn: icpn, isrc: isrc, title: f[2], displayArtist: f[3], account: owner))
            } catch {
                problems.append(error.problem(at: location))
            }
        }
        return entries
    }

    /// Parses splits.csv with the one splits reader (`SplitsCSVReader`, the same rules and codes as a package's
    /// splits.csv): payees in row order per ISRC; any problem rejects the file.
    public static func splits(path: String) throws -> [Split] {
        let result = SplitsCSVReader().read(bytes: try CSVReader(path: path).bytes(), relativePath: path)
        if !result.problems.isEmpty { throw LedgerError(problems: Array(result.problems.prefix(problemLimit))) }
        return result.tracks.map { track in
            Split(isrc: track.isrc, shares: track.splits.map { PayeeShare(payee: $0.payee, basisPoints: $0.shareBasisPoints) })
        }
    }

    /// Parses advances.csv. Amounts are exact and never negative; with `accountingCurrency`, every row must use it.
    public static func advances(path: String, accountingCurrency: String? = nil) throws -> [Advance] {
        var advances: [Advance] = []
        try read(.advances, path: path) { f, location, problems in
            let payee = f[0]
            guard !payee.isEmpty, payee.trimmingCharacters(in: .whitespaces) == payee else {
                problems.append(.error(.ledgerPayeeInvalid, at: location, "the payee name is empty or has leading or trailing spaces"))
                return
            }
            guard CurrencyMinorUnits.isWellFormed(f[1]) else {
                problems.append(.error(.ledgerCurrencyInvalid, at: location, "'\(f[1])' is not an ISO 4217 currency code"))
                return
            }
            if let accountingCurrency, f[1] != accountingCurrency {
                problems.append(.error(.ledgerCurrencyInvalid, at: location, "the advance is in \(f[1]); advances must be in the accounting currency \(accountingCurrency)"))
                return
            }
            do throws(IdentifierError) {
                let amount = try MicroAmount(parsing: f[2])
                guard amount >= .zero else {
                    problems.append(.error(.ledgerAdvanceNegative, at: location, "the amount \(f[2]) is negative; an unrecouped balance is 0 or more"))
                    return
                }
                guard let owner = accountName(f[3], default: nil, at: location, &problems) else { return }
                advances.append(Advance(payee: payee, currency: f[1], amount: amount, account: owner.isEmpty ? nil : owner))
            } catch {
                problems.append(error.problem(at: location))
            }
        }
        return advances
    }

    /// Parses rates.csv: accounting-currency units per unit of `currency`, per period (DSR period syntax).
    public static func rates(path: String) throws -> [RateEntry] {
        var rates: [RateEntry] = []
        var seen: [String: String] = [:]
        try read(.rates, path: path) { f, location, problems in
            guard CurrencyMinorUnits.isWellFormed(f[0]) else {
                problems.append(.error(.ledgerCurrencyInvalid, at: location, "'\(f[0])' is not an ISO 4217 currency code"))
                return
            }
            do throws(IdentifierError) {
                let period = try StatementPeriod(parsing: f[1])
                let rate = try ExchangeRate(parsing: f[2])
                let key = f[0] + " " + period.description
                if let first = seen[key] {
                    problems.append(.error(.ledgerDuplicateRow, at: location, "a rate for \(f[0]) in \(period) is listed twice (first at \(first))"))
                    return
                }
                seen[key] = location
                rates.append(RateEntry(currency: f[0], period: period, rate: rate))
            } catch {
                problems.append(error.problem(at: location))
            }
        }
        return rates
    }

    /// Parses accounts.csv: each client account once, with its commission in basis points (0 to 10000).
    public static func accounts(path: String) throws -> [LedgerAccount] {
        var accounts: [LedgerAccount] = []
        var seen: [String: String] = [:]
        try read(.accounts, path: path) { f, location, problems in
            guard let name = accountName(f[0], default: nil, at: location, &problems) else { return }
            guard !name.isEmpty else {
                problems.append(.error(.ledgerAccountInvalid, at: location, "the account name is empty"))
                return
            }
            guard let bp = Int(f[1]), (0...10_000).contains(bp), f[1].allSatisfy(\.isASCII) else {
                problems.append(.error(.ledgerShareInvalid, at: location, "commission_bp '\(f[1])' is not a whole number of basis points from 0 to 10000"))
                return
            }
            if let first = seen[name] {
                problems.append(.error(.ledgerDuplicateRow, at: location, "account \(name) is listed twice (first at \(first))"))
                return
            }
            seen[name] = location
            accounts.append(LedgerAccount(name: name, commissionBasisPoints: bp))
        }
        return accounts
    }

    /// An account cell: `fallback` when empty ("" when there is none), nil (with a problem) when it is not a name
    /// that can also be a folder (`LedgerAccount.isValidName`).
    private static func accountName(_ cell: String, default fallback: String?, at location: String,
                                    _ problems: inout [Problem]) -> String? {
        if cell.isEmpty { return fallback ?? "" }
        guard LedgerAccount.isValidName(cell) else {
            problems.append(.error(.ledgerAccountInvalid, at: location,
                                   "'\(cell)' is not an account name: letters, digits, '.', '_' and '-', not starting with '.', at most 64"))
            return nil
        }
        return cell
    }

    /// Parses `path` as `kind` and imports it into `store` in one call (the store makes it atomic).
    /// Returns the number of rows imported.
    @discardableResult
    public static func importFile(_ kind: LedgerImportKind, path: String, into store: some LedgerStore,
                                  account: String? = CatalogueEntry.defaultAccount, accountingCurrency: String? = nil) throws -> Int
    {
        switch kind {
        case .catalog:
            let rows = try catalogue(path: path, account: account)
            try store.importCatalogue(rows)
            return rows.count
        case .splits:
            let rows = try splits(path: path)
            try store.importSplits(rows)
            return rows.reduce(0) { $0 + $1.shares.count }
        case .advances:
            let rows = try advances(path: path, accountingCurrency: accountingCurrency)
            try store.importAdvances(rows)
            return rows.count
        case .rates:
            let rows = try rates(path: path)
            try store.importRates(rows)
            return rows.count
        case .accounts:
            let rows = try accounts(path: path)
            try store.importAccounts(rows)
            return rows.count
        }
    }
}
