import DDEXModel

/// Everything a statement run produces for one period: per-payee statements, account overviews, the
/// unmatched report, and the run's totals.
public struct StatementSet: Sendable {
    public var result: LedgerResult
    /// One statement per payee named in a split or an advance, in name order.
    public var statements: [PayeeStatement]
    public var rosters: [RosterOverview]
    public var problems: [Problem]
    /// The account of every payee with a statement (a payee with no known account has none).
    public var payeeAccounts: [String: String]
    /// The account this set was restricted to (`restricted(to:)`); nil for the distributor's whole set.
    public internal(set) var account: String?

    public var period: StatementPeriod { result.period }
    public var currency: String { result.accountingCurrency }
    public var unmatched: [UnmatchedEntry] { result.unmatchedEntries }

    /// Combines a run with the opening balances of its period (and, for overviews, the previous period's run).
    public init(result: LedgerResult, openingBalances: [String: MicroAmount], previous: LedgerResult? = nil,
                problems: [Problem] = [])
    {
        self.result = result
        self.problems = result.problems + problems
        var byPayee: [String: PayeeEarnings] = [:]
        for p in result.payees { byPayee[p.payee] = p }
        let names = Set(byPayee.keys).union(openingBalances.keys).sorted()
        statements = names.map { name in
            let earned = byPayee[name]
            return PayeeStatement(payee: name, period: result.period, currency: result.accountingCurrency,
                                  recoupment: Recoupment(earnings: earned?.earnings ?? .zero, openingBalance: openingBalances[name] ?? .zero),
                                  commission: earned?.commission ?? .zero, lines: earned?.lines ?? [])
        }
        var previousByAccount: [String: AccountActivity] = [:]
        for a in previous?.accounts ?? [] { previousByAccount[a.account] = a }
        var accountsOfPayees = result.payeeAccounts
        if result.accountFigures.count == 1, let only = result.accountFigures.first?.account {
            for name in names where accountsOfPayees[name] == nil { accountsOfPayees[name] = only }
        }
        payeeAccounts = accountsOfPayees
        rosters = result.accounts.map {
            RosterOverview(activity: $0, period: result.period, currency: result.accountingCurrency,
                           previous: previousByAccount[$0.account], previousPeriod: previous?.period)
        }
    }

    /// What this period recouped per payee, for `LedgerStore.recordRecoupment` once the statements are final.
    public var recouped: [String: MicroAmount] {
        var out: [String: MicroAmount] = [:]
        for s in statements where s.recoupment.recouped != .zero { out[s.payee] = s.recoupment.recouped }
        return out
    }
}

extension LedgerEngine {
    /// Runs the period (and the previous one, for period-over-period overviews) and builds the statements
    /// with the store's opening balances.
    public func statements<Input: LedgerInput>(period: StatementPeriod, input: Input, store: some LedgerStore,
                                               comparePrevious: Bool = true) throws -> StatementSet
    {
        let result = try run(period: period, input: input)
        var previous: LedgerResult?
        if comparePrevious, let p = period.previous {
            let earlier = try run(period: p, input: input)
            if earlier.summaryCount > 0 { previous = earlier }
        }
        let (balances, problems) = try store.openingBalances(for: period, currency: settings.accountingCurrency)
        return StatementSet(result: result, openingBalances: balances, previous: previous, problems: problems)
    }
}
