extension Migration {
    /// Client accounts of a distributor (dsrgen `--accounts`, `ddexd import accounts`): each account's commission,
    /// and the account an advance names for its payee (how a payee with no track yet belongs to one).
    static let ledgerAccounts = Migration(version: 7, name: "ledger-accounts", sql: """
        CREATE TABLE ledger_accounts (
            account       TEXT NOT NULL PRIMARY KEY,
            commission_bp INTEGER NOT NULL CHECK (commission_bp BETWEEN 0 AND 10000)
        ) WITHOUT ROWID;
        ALTER TABLE ledger_advances ADD COLUMN account TEXT;
        """)
}
