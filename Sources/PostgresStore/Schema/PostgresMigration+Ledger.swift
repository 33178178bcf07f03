import Store

/// One of `PostgresMigrations.all`: the SQLite migration of the same version and name (in `Sources/Store/Schema/`), in
/// PostgreSQL's dialect. Released: never edited.
extension Migration {
    static let postgresLedger = Migration(version: 4, name: "ledger", sql: """
        CREATE TABLE ledger_catalogue (
            icpn           TEXT NOT NULL,
            isrc           TEXT NOT NULL,
            title          TEXT NOT NULL,
            display_artist TEXT NOT NULL,
            account        TEXT NOT NULL,
            -- 'import' (catalog.csv) or 'package' (a validated delivery).
            source         TEXT NOT NULL,
            updated_at     TEXT NOT NULL,
            PRIMARY KEY (icpn, isrc)
        );
        CREATE INDEX ledger_catalogue_by_isrc ON ledger_catalogue (isrc);

        CREATE TABLE ledger_splits (
            isrc     TEXT NOT NULL,
            -- Split order decides ties in the largest-remainder sharing.
            position BIGINT NOT NULL,
            payee    TEXT NOT NULL,
            share_bp BIGINT NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
            PRIMARY KEY (isrc, position)
        );

        CREATE TABLE ledger_advances (
            payee        TEXT NOT NULL,
            position     BIGINT NOT NULL,
            currency     TEXT NOT NULL,
            amount_micro BIGINT NOT NULL CHECK (amount_micro >= 0),
            PRIMARY KEY (payee, position)
        );

        CREATE TABLE ledger_rates (
            currency     TEXT NOT NULL,
            -- DSR period syntax (2020-06, 2020-Q2, ...); period_start/period_end are its days.
            period       TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end   TEXT NOT NULL,
            -- Exact decimal text: accounting-currency units per unit of currency.
            rate         TEXT NOT NULL,
            PRIMARY KEY (currency, period)
        );

        CREATE TABLE ledger_resource_mappings (
            icpn            TEXT NOT NULL,
            dsp_resource_id TEXT NOT NULL,
            isrc            TEXT NOT NULL,
            PRIMARY KEY (icpn, dsp_resource_id)
        );

        CREATE TABLE ledger_recoupments (
            period         TEXT NOT NULL,
            period_start   TEXT NOT NULL,
            period_end     TEXT NOT NULL,
            payee          TEXT NOT NULL,
            recouped_micro BIGINT NOT NULL,
            recorded_at    TEXT NOT NULL,
            PRIMARY KEY (period, payee)
        );
        CREATE INDEX ledger_recoupments_by_end ON ledger_recoupments (period_end);

        -- The ledger's covering index starts with (report_id, summary_record_id), so it serves every lookup the
        -- DSR migration's narrower index did: one index to maintain per loaded line instead of two.
        DROP INDEX dsr_usage_lines_by_summary;
        CREATE INDEX dsr_usage_lines_for_ledger ON dsr_usage_lines (
            report_id, summary_record_id, file_number, line_number,
            usages, allocated_net_revenue_micro, isrc, icpn, dsp_resource_id, use_type);
        CREATE INDEX dsr_reports_by_state_period ON dsr_reports (state, period_start, period_end);
        """)
}
