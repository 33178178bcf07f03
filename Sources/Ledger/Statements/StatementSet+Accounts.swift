import DDEXModel

extension StatementSet {
    /// The accounts of the run, in name order.
    public var accountNames: [String] { result.accountFigures.map(\.account) }

    /// The payees of `account`, in name order.
    public func payees(of account: String) -> [String] {
        statements.map(\.payee).filter { payeeAccounts[$0] == account }
    }

    /// What `account` may see of the run: its lines' totals, its commission, its payees' statements and its
    /// overview, and nothing of another account's lines or payees, nor the distributor's unmatched and unallocated
    /// amounts (ACCOUNTING.md §3). Its figures add up on their own: total = its payees' earnings + its commission.
    /// Throws `LEDGER_ACCOUNT_INVALID` for an account the run does not know.
    public func restricted(to account: String) throws -> StatementSet {
        guard let figures = result.accountFigures.first(where: { $0.account == account }) else {
            throw LedgerError(.ledgerAccountInvalid, at: "--account \(account)",
                              "the ledger has no account '\(account)'; its accounts are \(accountNames.joined(separator: ", "))")
        }
        let own = Set(payees(of: account))
        var copy = self
        copy.account = account
        copy.result.lineCount = figures.lines
        copy.result.summaryCount = 0
        copy.result.total = figures.total
        copy.result.commission = figures.commission
        copy.result.unmatched = .zero
        copy.result.unallocated = .zero
        copy.result.payees = result.payees.filter { own.contains($0.payee) }
        copy.result.unmatchedEntries = []
        copy.result.summaries = []
        copy.result.accounts = result.accounts.filter { $0.account == account }
        copy.result.accountFigures = [figures]
        copy.result.payeeAccounts = result.payeeAccounts.filter { $0.value == account }
        copy.result.problems = []
        copy.statements = statements.filter { own.contains($0.payee) }
        copy.rosters = rosters.filter { $0.account == account }
        copy.payeeAccounts = payeeAccounts.filter { $0.value == account }
        // Only the warnings about its own payees (an advance in another currency).
        copy.problems = problems.filter { problem in own.contains { problem.location == "advances: \($0)" } }
        return copy
    }
}
