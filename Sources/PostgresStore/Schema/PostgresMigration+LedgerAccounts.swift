import Store

/// One of `PostgresMigrations.all`: the SQLite migration of the same version and name (in `Sources/Store/Schema/`), in
/// PostgreSQL's dialect. Released: never edited.
extension Migration {
    static let postgresLedgerAccounts = Migration(version: 7, name: "ledger-accounts", sql: """
        CREATE TABLE ledger_accounts (
            account       TEXT NOT NULL PRIMARY KEY,
            commission_bp BIGINT NOT NULL CHECK (commission_bp BETWEEN 0 AND 10000)
        );
        ALTER TABLE ledger_advances ADD COLUMN account TEXT;
        """)
}
