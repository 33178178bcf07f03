extension Migration {
    /// Royalty accounting: catalogue, splits, advances, exchange rates, resource mappings, the recoupment
    /// recorded by final statement runs, and the index a statement run streams usage lines through.
    ///
    /// `dsr_usage_lines_for_ledger` covers every column a run reads, in report order within a summary
    /// (file number, then line number): both passes over a summary's lines are range scans of the index,
    /// never lookups into the table, whose rows of one summary are scattered over the whole file.
    static let ledger = Migration(version: 4, name: "ledger", sql: """
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
        ) WITHOUT ROWID;
        CREATE INDEX ledger_catalogue_by_isrc ON ledger_catalogue (isrc);

        CREATE TABLE ledger_splits (
            isrc     TEXT NOT NULL,
            -- Split order decides ties in the largest-remainder sharing.
            position INTEGER NOT NULL,
            payee    TEXT NOT NULL,
            share_bp INTEGER NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
            PRIMARY KEY (isrc, position)
        ) WITHOUT ROWID;

        CREATE TABLE ledger_advances (
            payee        TEXT NOT NULL,
            position     INTEGER NOT NULL,
            currency     TEXT NOT NULL,
            amount_micro INTEGER NOT NULL CHECK (amount_micro >= 0),
            PRIMARY KEY (payee, position)
        ) WITHOUT ROWID;

        CREATE TABLE ledger_rates (
            currency     TEXT NOT NULL,
            -- DSR period syntax (2020-06, 2020-Q2, ...); period_start/period_end are its days.
            period       TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end   TEXT NOT NULL,
            -- Exact decimal text: accounting-currency units per unit of currency.
            rate         TEXT NOT NULL,
            PRIMARY KEY (currency, period)
        ) WITHOUT ROWID;

        CREATE TABLE ledger_resource_mappings (
            icpn            TEXT NOT NULL,
            dsp_resource_id TEXT NOT NULL,
            isrc            TEXT NOT NULL,
            PRIMARY KEY (icpn, dsp_resource_id)
        ) WITHOUT ROWID;

        CREATE TABLE ledger_recoupments (
            period         TEXT NOT NULL,
            period_start   TEXT NOT NULL,
            period_end     TEXT NOT NULL,
            payee          TEXT NOT NULL,
            recouped_micro INTEGER NOT NULL,
            recorded_at    TEXT NOT NULL,
            PRIMARY KEY (period, payee)
        ) WITHOUT ROWID;
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
