import DDEXModel

/// Persistent ledger data: catalogue, splits, advances, rates, and the recoupment recorded by past statements.
///
/// The SQLite store implements it (each import in one transaction: a rejected file changes nothing).
public protocol LedgerStore: AnyObject {
    /// Catalogue, splits, rates and resource mappings as of now.
    func referenceData() throws -> LedgerReferenceData
    /// Every advance and recoupable cost imported.
    func advances() throws -> [Advance]
    /// What statements of periods ending before `period` already recouped, per payee.
    func recouped(before period: StatementPeriod) throws -> [String: MicroAmount]

    /// Adds catalogue rows, replacing a row with the same ICPN and ISRC.
    func importCatalogue(_ entries: [CatalogueEntry]) throws
    /// Replaces the split of every ISRC in `splits`.
    func importSplits(_ splits: [Split]) throws
    /// Replaces the advances of every payee named in `advances`.
    func importAdvances(_ advances: [Advance]) throws
    /// Adds rates, replacing a rate with the same currency and period.
    func importRates(_ rates: [RateEntry]) throws
    /// Adds client accounts, replacing the commission of an account already known.
    func importAccounts(_ accounts: [LedgerAccount]) throws
    /// Adds resource mappings, replacing one with the same ICPN and resource id.
    func importResourceMappings(_ mappings: [ResourceMapping]) throws
    /// Records what a final statement run for `period` recouped (replacing an earlier run for the same period).
    func recordRecoupment(period: StatementPeriod, recouped: [String: MicroAmount]) throws
}

extension LedgerStore {
    /// Opening balances for `period`: advances in `currency` less what earlier periods recouped.
    /// Advances in another currency are left out and returned as warnings.
    public func openingBalances(for period: StatementPeriod, currency: String) throws -> (balances: [String: MicroAmount], problems: [Problem]) {
        var balances: [String: MicroAmount] = [:]
        var problems: [Problem] = []
        for advance in try advances() {
            guard advance.currency == currency else {
                problems.append(.warning(.ledgerAdvanceCurrency, at: "advances: \(advance.payee)",
                                         "an advance of \(advance.amount) \(advance.currency) is not in the accounting currency \(currency) and is not applied"))
                continue
            }
            balances[advance.payee, default: .zero] += advance.amount
        }
        for (payee, amount) in try recouped(before: period) {
            balances[payee, default: .zero] -= amount
        }
        return (balances, problems)
    }
}
