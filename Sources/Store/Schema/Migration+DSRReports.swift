extension Migration {
    /// DSR sales/usage reports: reports, their files, summaries, releases, resources and usage lines.
    /// Documented column by column in `Sources/Store/Schema/DSR-SCHEMA.md`.
    ///
    /// The bulk tables (`dsr_releases`, `dsr_resources`, `dsr_usage_lines`) declare no foreign keys: SQLite
    /// checks each with a parent lookup of about 1 µs, which doubled the load time of a report (measured on
    /// 1M lines: 0.65 s CPU without, 1.9 s with). Only `DSRReportLoader` writes them, inside the report's
    /// transaction, with ids it has just inserted; the small tables keep their foreign keys.
    public static let dsrReports = Migration(version: 1, name: "dsr-reports", sql: """
        CREATE TABLE dsr_reports (
            id INTEGER PRIMARY KEY,
            state TEXT NOT NULL CHECK (state IN ('discovered', 'downloaded', 'parsed', 'loaded', 'superseded')),
            state_changed_at TEXT NOT NULL,
            superseded_by INTEGER REFERENCES dsr_reports(id),
            -- Identity, from the file names (DSR Part 1 §8.1); XofY is not part of it.
            recipient TEXT NOT NULL,
            sender TEXT NOT NULL,
            service TEXT NOT NULL,
            period TEXT NOT NULL,
            territory TEXT NOT NULL,
            name_created TEXT NOT NULL,
            number_of_files INTEGER NOT NULL,
            -- From HEAD of file 1, once parsed.
            message_id TEXT,
            message_version TEXT,
            profile TEXT,
            profile_version TEXT,
            created_at TEXT,
            created_unix_ms INTEGER,
            period_start TEXT,
            period_end TEXT,
            sender_party_id TEXT,
            sender_name TEXT,
            recipient_party_id TEXT,
            recipient_name TEXT,
            service_description TEXT,
            -- Totals, once parsed.
            line_count INTEGER,
            summary_count INTEGER,
            block_count INTEGER,
            usage_line_count INTEGER,
            UNIQUE (recipient, sender, service, period, territory, name_created)
        );
        CREATE INDEX dsr_reports_by_context ON dsr_reports (recipient, sender, service, period, territory);

        CREATE TABLE dsr_report_files (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES dsr_reports(id),
            file_name TEXT NOT NULL,
            file_number INTEGER NOT NULL,
            number_of_files INTEGER NOT NULL,
            sha256 TEXT,
            size_bytes INTEGER,
            line_count INTEGER,
            block_count INTEGER,
            UNIQUE (report_id, file_number)
        );
        CREATE INDEX dsr_report_files_by_name ON dsr_report_files (file_name);

        CREATE TABLE dsr_report_warnings (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES dsr_reports(id),
            code TEXT NOT NULL,
            location TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX dsr_report_warnings_by_report ON dsr_report_warnings (report_id);

        CREATE TABLE dsr_summaries (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES dsr_reports(id),
            line_number INTEGER NOT NULL,
            record_type TEXT NOT NULL,
            summary_record_id TEXT NOT NULL,
            rights_controller TEXT NOT NULL,
            distribution_channel TEXT NOT NULL,
            distribution_channel_dpid TEXT NOT NULL,
            commercial_model TEXT NOT NULL,
            use_type TEXT NOT NULL,
            territory TEXT NOT NULL,
            service_description TEXT NOT NULL,
            total_usages INTEGER,
            subscribers INTEGER,
            currency_of_reporting TEXT NOT NULL,
            net_revenue_micro INTEGER,
            net_revenue_text TEXT NOT NULL,
            indirect_value_micro INTEGER,
            currency_of_transaction TEXT NOT NULL,
            exchange_rate_text TEXT NOT NULL,
            rights_controller_party_id TEXT NOT NULL,
            rights_type TEXT NOT NULL,
            allocated_usages INTEGER,
            allocated_revenue_micro INTEGER,
            allocated_net_revenue_micro INTEGER,
            UNIQUE (report_id, summary_record_id, rights_controller)
        );

        CREATE TABLE dsr_releases (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL,
            file_number INTEGER NOT NULL,
            line_number INTEGER NOT NULL,
            block_id TEXT NOT NULL,
            record_type TEXT NOT NULL,
            release_reference TEXT NOT NULL,
            dsp_release_id TEXT NOT NULL,
            proprietary_release_ids TEXT NOT NULL,
            catalog_number TEXT NOT NULL,
            icpn TEXT NOT NULL,
            display_artist_name TEXT NOT NULL,
            title TEXT NOT NULL,
            sub_title TEXT NOT NULL,
            release_type TEXT NOT NULL,
            label_name TEXT NOT NULL,
            release_date TEXT NOT NULL
        );
        CREATE INDEX dsr_releases_by_report ON dsr_releases (report_id);

        CREATE TABLE dsr_resources (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL,
            file_number INTEGER NOT NULL,
            line_number INTEGER NOT NULL,
            block_id TEXT NOT NULL,
            record_type TEXT NOT NULL,
            resource_reference TEXT NOT NULL,
            dsp_resource_id TEXT NOT NULL,
            isrc TEXT NOT NULL,
            isrcs TEXT NOT NULL,
            title TEXT NOT NULL,
            sub_title TEXT NOT NULL,
            display_artist_name TEXT NOT NULL,
            duration TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            iswc TEXT NOT NULL
        );
        CREATE INDEX dsr_resources_by_report ON dsr_resources (report_id);

        CREATE TABLE dsr_usage_lines (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL,
            file_number INTEGER NOT NULL,
            line_number INTEGER NOT NULL,
            block_id TEXT NOT NULL,
            record_type TEXT NOT NULL,
            summary_record_id TEXT NOT NULL,
            rights_controller TEXT NOT NULL,
            sales_transaction_id TEXT NOT NULL,
            release_reference TEXT NOT NULL,
            resource_reference TEXT NOT NULL,
            dsp_resource_id TEXT NOT NULL,
            release_id INTEGER,
            resource_id INTEGER,
            isrc TEXT NOT NULL,
            icpn TEXT NOT NULL,
            use_type TEXT NOT NULL,
            usages INTEGER NOT NULL,
            returns INTEGER,
            is_royalty_bearing INTEGER,
            price_micro INTEGER,
            net_revenue_micro INTEGER,
            allocated_net_revenue_micro INTEGER,
            allocated_amount_micro INTEGER,
            parent_line_id INTEGER
        );
        CREATE INDEX dsr_usage_lines_by_summary ON dsr_usage_lines (report_id, summary_record_id);
        """)
}
