import DDEXModel

/// A track of the catalogue on one release (a row of catalog.csv).
public struct CatalogueEntry: Sendable, Hashable, Codable {
    public var icpn: ICPN
    public var isrc: ISRC
    public var title: String
    public var displayArtist: String
    /// The account (label) the track belongs to; its commission applies.
    public var account: String

    public init(icpn: ICPN, isrc: ISRC, title: String, displayArtist: String, account: String = CatalogueEntry.defaultAccount) {
        self.icpn = icpn
        self.isrc = isrc
        self.title = title
        self.displayArtist = displayArtist
        self.account = account
    }
}

extension CatalogueEntry {
    /// The account of catalogue rows imported without one.
    public static let defaultAccount = "default"
}

/// One payee's share of a track, in basis points.
public struct PayeeShare: Sendable, Hashable, Codable {
    public var payee: String
    public var basisPoints: Int

    public init(payee: String, basisPoints: Int) {
        self.payee = payee
        self.basisPoints = basisPoints
    }
}

/// How a track's net is shared: payees in split order (which decides ties), shares summing to 10000 bp.
public struct Split: Sendable, Hashable, Codable {
    public var isrc: ISRC
    public var shares: [PayeeShare]

    public init(isrc: ISRC, shares: [PayeeShare]) {
        self.isrc = isrc
        self.shares = shares
    }
}

/// An unrecouped advance or recoupable cost owed by a payee.
public struct Advance: Sendable, Hashable, Codable {
    public var payee: String
    public var currency: String
    public var amount: MicroAmount
    /// The payee's account, when the import named it (a payee with no track yet is known only this way).
    public var account: String?

    public init(payee: String, currency: String, amount: MicroAmount, account: String? = nil) {
        self.payee = payee
        self.currency = currency
        self.amount = amount
        self.account = account
    }
}

/// A client account of the distributor (a label or collective) with its commission (a row of accounts.csv).
public struct LedgerAccount: Sendable, Hashable, Codable {
    public var name: String
    public var commissionBasisPoints: Int

    public init(name: String, commissionBasisPoints: Int) {
        self.name = name
        self.commissionBasisPoints = commissionBasisPoints
    }

    /// An account name is also a folder of the statements (`<out>/<account>/`): ASCII letters, digits, `.`, `_`
    /// and `-`, not starting with `.`, 1 to 64 characters.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), name.first != "." else { return false }
        return name.unicodeScalars.allSatisfy { s in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "." || s == "_" || s == "-")
        }
    }
}

/// A configured exchange rate: accounting-currency units per unit of `currency`, for reports in `period`.
public struct RateEntry: Sendable, Hashable, Codable {
    public var currency: String
    public var period: StatementPeriod
    public var rate: ExchangeRate

    public init(currency: String, period: StatementPeriod, rate: ExchangeRate) {
        self.currency = currency
        self.period = period
        self.rate = rate
    }
}

/// A DSP's resource id on a release, known to be a catalogue track (the second way of matching a line).
public struct ResourceMapping: Sendable, Hashable, Codable {
    public var icpn: String
    public var dspResourceId: String
    public var isrc: ISRC

    public init(icpn: String, dspResourceId: String, isrc: ISRC) {
        self.icpn = icpn
        self.dspResourceId = dspResourceId
        self.isrc = isrc
    }
}

/// The rate table: the most specific configured period that contains a report's usage period wins.
public struct RateTable: Sendable {
    private var byCurrency: [String: [RateEntry]] = [:]

    public init(_ entries: [RateEntry]) {
        for entry in entries { byCurrency[entry.currency, default: []].append(entry) }
        for key in byCurrency.keys {
            byCurrency[key]!.sort { ($0.period.dayCount, $0.period) < ($1.period.dayCount, $1.period) }
        }
    }

    /// The rate for `currency` whose period contains `start...end`, if one is configured.
    public func rate(for currency: String, start: CivilDate, end: CivilDate) -> ExchangeRate? {
        byCurrency[currency]?.first { $0.period.contains(start: start, end: end) }?.rate
    }
}

/// Everything a statement run needs besides the reports: catalogue, splits, rates and resource mappings.
public struct LedgerReferenceData: Sendable {
    public var catalogue: [CatalogueEntry]
    public var splits: [Split]
    public var rates: [RateEntry]
    public var resourceMappings: [ResourceMapping]
    /// Imported client accounts (accounts.csv); their commission overrides the configured account rate.
    public var accounts: [LedgerAccount]
    /// The accounts advances name for their payees (payee → account): how a payee with no track yet has one.
    public var payeeAccounts: [String: String]

    public init(catalogue: [CatalogueEntry] = [], splits: [Split] = [], rates: [RateEntry] = [],
                resourceMappings: [ResourceMapping] = [], accounts: [LedgerAccount] = [], payeeAccounts: [String: String] = [:])
    {
        self.payeeAccounts = payeeAccounts
        self.catalogue = catalogue
        self.splits = splits
        self.rates = rates
        self.resourceMappings = resourceMappings
        self.accounts = accounts
    }
}
