import DDEXModel

/// The outcome of a statement run over one period: exact totals, per-payee earnings and the buckets.
///
/// A result exists only if the invariant held (ACCOUNTING.md §7); a run that breaks it throws instead.
public struct LedgerResult: Sendable {
    public var period: StatementPeriod
    public var accountingCurrency: String
    public var reportCount: Int
    public var summaryCount: Int
    public var lineCount: Int
    /// Σ converted summary amounts, plus the converted amounts of lines that carry their own money.
    public var total: MicroAmount
    public var commission: MicroAmount
    public var unmatched: MicroAmount
    public var unallocated: MicroAmount
    /// Per payee, in name order: every payee of a split with earnings in the period or not.
    public var payees: [PayeeEarnings]
    /// Per unmatched ISRC (or ICPN + resource id), in key order.
    public var unmatchedEntries: [UnmatchedEntry]
    /// Every summary of the period with how it was converted and allocated.
    public var summaries: [SummaryOutcome]
    /// Per account: what its tracks earned, by DSP, territory and track (empty without `collectDetail`).
    public var accounts: [AccountActivity]
    /// The statement breakdown of every payee, compact (with `collectDetail`).
    public var breakdown: LedgerBreakdown?
    /// Per account, in name order: its lines, their amounts, its commission and its payees (always kept).
    public var accountFigures: [AccountFigures]
    /// The account of every payee the run knows of (from the splits, the advances, or the only account).
    public var payeeAccounts: [String: String]
    /// Warnings: usage mismatches, summaries held unconverted.
    public var problems: [Problem]

    /// Summaries held in their own currency for want of a rate (outside every total above).
    public var unconverted: [SummaryOutcome] { summaries.filter { $0.converted == nil } }

    /// The invariant, recomputed from the figures (a run that returned a result already checked it).
    public var invariantHolds: Bool {
        var shares: Int64 = 0
        for p in payees { shares &+= p.earnings.micro }
        return total.micro == shares &+ commission.micro &+ unmatched.micro &+ unallocated.micro
    }
}

/// One account's part of a run: the matched lines of its tracks (ACCOUNTING.md §3: unmatched and unallocated
/// amounts belong to no account), their amounts before commission, the commission at its rate, and its payees.
/// A result exists only if `total == Σ its payees' earnings + commission` held.
public struct AccountFigures: Sendable, Hashable {
    public var account: String
    /// The account's rate (a DSP's own rate may override it line by line).
    public var commissionBasisPoints: Int
    public var lines: Int
    public var total: MicroAmount
    public var commission: MicroAmount
    /// The account's payees, in name order.
    public var payees: [String]
}

/// A payee's earnings in a run.
public struct PayeeEarnings: Sendable, Hashable {
    public var payee: String
    /// E = Σ of the payee's shares (net of commission).
    public var earnings: MicroAmount
    /// The commission on the payee's part of the lines (the line commission shared by the same split; display only).
    public var commission: MicroAmount
    /// The breakdown (empty without `collectDetail`), sorted by DSP, territory, release, track, use type.
    public var lines: [EarningsLine]

    /// Earnings before commission.
    public var gross: MicroAmount { earnings + commission }
}

/// One row of a payee's breakdown: DSP × territory × release and track × use type.
public struct EarningsLine: Sendable, Hashable, Codable {
    public var dsp: String
    public var territory: String
    public var releaseICPN: String
    public var isrc: String
    public var title: String
    public var displayArtist: String
    public var useType: String
    /// Usages of the lines (whole counts, not shared).
    public var usages: Int64
    public var commission: MicroAmount
    public var net: MicroAmount

    public var gross: MicroAmount { net + commission }
}

/// Why a line did not reach a payee.
public enum UnmatchedReason: String, Sendable, Hashable, Codable {
    /// Neither the ISRC nor (ICPN, DSP resource id) is in the catalogue.
    case notInCatalogue = "not-in-catalogue"
    /// The track is in the catalogue but has no split.
    case noSplit = "no-split"
}

/// Unmatched lines of one ISRC (or ICPN + resource id when the line has no ISRC).
public struct UnmatchedEntry: Sendable, Hashable, Codable {
    /// The ISRC, or `ICPN/DspResourceId`.
    public var key: String
    public var isrc: String?
    public var releaseICPNs: [String]
    public var dspResourceId: String?
    public var reason: UnmatchedReason
    public var lines: Int
    public var usages: Int64
    public var amount: MicroAmount
}

/// How one summary was converted and allocated.
public struct SummaryOutcome: Sendable, Hashable, Codable {
    public enum RateSource: String, Sendable, Hashable, Codable {
        /// Already in the accounting currency.
        case none
        /// The configured rate table.
        case table
        /// The summary's own ExchangeRate cell.
        case summary
    }

    public var reportId: String
    public var dsp: String
    /// The report's usage month (`YYYY-MM` of its start).
    public var month: String
    public var summaryId: String
    public var territory: String
    public var commercialModel: String
    public var currency: String
    public var netRevenue: MicroAmount
    public var rate: ExchangeRate?
    public var rateSource: RateSource
    /// The amount in the accounting currency, nil when held unconverted.
    public var converted: MicroAmount?
    public var lines: Int
    public var usages: Int64
    public var totalUsages: Int64?
    public var allocated: MicroAmount
    public var unallocated: MicroAmount
}

/// What one account's tracks earned in a run (gross line amounts, before commission).
public struct AccountActivity: Sendable, Hashable {
    public var account: String
    public var gross: MicroAmount
    public var commission: MicroAmount
    public var usages: Int64
    public var byDSP: [String: MicroAmount]
    public var byTerritory: [String: MicroAmount]
    /// Per usage month (`YYYY-MM` of the report's start).
    public var byMonth: [String: MicroAmount]
    /// Per ISRC: gross amount and usages.
    public var byTrack: [String: TrackActivity]
    /// Net earnings of each payee from this account's tracks.
    public var byPayee: [String: MicroAmount]
}

/// A track's activity in an account overview.
public struct TrackActivity: Sendable, Hashable, Codable {
    public var isrc: String
    public var title: String
    public var displayArtist: String
    public var gross: MicroAmount
    public var usages: Int64
}
