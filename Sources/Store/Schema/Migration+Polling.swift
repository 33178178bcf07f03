extension Migration {
    /// Polling of DSP servers: the remote modification time of processed acknowledgements (TRANSFER.md
    /// §3 item 6: path, size, mtime and hash), what each acknowledgement said per release, and every
    /// DSR file fetched from a DSP (so none is fetched twice).
    static let polling = Migration(version: 3, name: "polling", sql: """
        ALTER TABLE acks ADD COLUMN remote_mtime REAL;
        ALTER TABLE acks ADD COLUMN error_code TEXT;
        ALTER TABLE acks ADD COLUMN updated_at TEXT;
        CREATE INDEX acks_file ON acks(dsp, remote_path, size);
        CREATE INDEX acks_outcome ON acks(dsp, outcome);

        -- One row per entry (ReleaseStatus/Acknowledgement) of an acknowledgement file.
        -- outcome: applied | unmatched (no delivery, or one not yet completed: tried again on later passes)
        --          | stale (an acknowledgement created later was already applied) | duplicate.
        CREATE TABLE ack_entries (
            ack_id         INTEGER NOT NULL REFERENCES acks(id),
            seq            INTEGER NOT NULL,
            message_id     TEXT,
            batch_id       TEXT,
            release_ids    TEXT NOT NULL DEFAULT '',
            status         TEXT NOT NULL,
            release_status TEXT,
            text           TEXT,
            delivery_id    INTEGER REFERENCES deliveries(id),
            outcome        TEXT NOT NULL,
            note           TEXT,
            PRIMARY KEY (ack_id, seq)
        );
        CREATE INDEX ack_entries_delivery ON ack_entries(delivery_id);

        -- One row per DSR file downloaded from a DSP, identified by remote path and size before the
        -- download and by SHA-256 after it.
        -- state: fetched (archived, not loaded yet) | loaded | failed (the report did not load; error_*).
        -- after_fetch: what was done on the server once the report loaded (kept | deleted | moved).
        CREATE TABLE dsr_fetches (
            id            INTEGER PRIMARY KEY,
            dsp           TEXT NOT NULL,
            remote_path   TEXT NOT NULL,
            file_name     TEXT NOT NULL,
            size          INTEGER NOT NULL,
            remote_mtime  REAL,
            sha256        TEXT NOT NULL,
            local_path    TEXT NOT NULL,
            report_key    TEXT NOT NULL,
            report_id     INTEGER REFERENCES dsr_reports(id),
            state         TEXT NOT NULL CHECK (state IN ('fetched', 'loaded', 'failed')),
            error_code    TEXT,
            error_message TEXT,
            after_fetch   TEXT,
            fetched_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL,
            UNIQUE (dsp, remote_path, size, sha256)
        );
        CREATE INDEX dsr_fetches_report ON dsr_fetches(dsp, report_key);
        """)
}
