import Store

/// The PostgreSQL schema: the SQLite store's migrations (`Migrations.all`), version for version and name for name,
/// in PostgreSQL's dialect, so that both engines hold the same tables at the same version. Integers are `BIGINT`
/// (SQLite's are 64-bit), reals `DOUBLE PRECISION`, row ids identity columns; where SQLite needed triggers
/// (a rule on an existing column) PostgreSQL has constraints. Released entries never change; append new ones to
/// both lists (a test checks they agree).
public enum PostgresMigrations {
    public static let all: [Migration] = [
        .postgresDSRReports,
        .postgresDeliveries,
        .postgresPolling,
        .postgresLedger,
        .postgresAckPolling,
        .postgresStateChecks,
        .postgresLedgerAccounts,
        .postgresCluster,
    ]
}
