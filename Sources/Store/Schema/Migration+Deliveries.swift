extension Migration {
    /// Packages, their timelines, deliveries (package × DSP) with their files, issued MessageIds and
    /// processed acknowledgements. State columns hold `PackageState` / `DeliveryState` raw values.
    static let deliveries = Migration(version: 2, name: "packages-deliveries", sql: """
        CREATE TABLE packages (
            id             TEXT PRIMARY KEY,
            account        TEXT NOT NULL,
            source         TEXT NOT NULL,
            work_path      TEXT NOT NULL,
            state          TEXT NOT NULL,
            release_id     TEXT,
            title          TEXT,
            display_artist TEXT,
            takedown       INTEGER NOT NULL DEFAULT 0,
            problems_json  TEXT NOT NULL DEFAULT '[]',
            release_json   TEXT,
            created_at     TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        CREATE INDEX packages_state ON packages(state);

        CREATE TABLE package_events (
            id         INTEGER PRIMARY KEY,
            package_id TEXT NOT NULL REFERENCES packages(id),
            at         TEXT NOT NULL,
            event      TEXT NOT NULL,
            dsp        TEXT,
            detail     TEXT
        );
        CREATE INDEX package_events_package ON package_events(package_id, id);

        CREATE TABLE deliveries (
            id                 INTEGER PRIMARY KEY,
            package_id         TEXT NOT NULL REFERENCES packages(id),
            dsp                TEXT NOT NULL,
            release_id         TEXT NOT NULL,
            kind               TEXT NOT NULL,
            state              TEXT NOT NULL,
            batch_id           TEXT NOT NULL,
            message_id         TEXT NOT NULL,
            bundle_path        TEXT NOT NULL,
            remote_folder      TEXT NOT NULL,
            attempts           INTEGER NOT NULL DEFAULT 0,
            next_attempt_at    REAL,
            last_error_code    TEXT,
            last_error_message TEXT,
            ack_status         TEXT,
            ack_text           TEXT,
            ack_file           TEXT,
            ack_at             TEXT,
            created_at         TEXT NOT NULL,
            updated_at         TEXT NOT NULL,
            UNIQUE (package_id, dsp),
            UNIQUE (dsp, batch_id)
        );
        CREATE INDEX deliveries_state ON deliveries(dsp, state, next_attempt_at);
        CREATE INDEX deliveries_message ON deliveries(message_id);
        CREATE INDEX deliveries_release ON deliveries(dsp, release_id);

        CREATE TABLE delivery_files (
            delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
            seq         INTEGER NOT NULL,
            role        TEXT NOT NULL,
            local_path  TEXT NOT NULL,
            remote_path TEXT NOT NULL,
            size        INTEGER NOT NULL,
            placed      INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (delivery_id, seq)
        );

        CREATE TABLE message_ids (
            sender     TEXT NOT NULL,
            message_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (sender, message_id)
        );

        CREATE TABLE acks (
            id            INTEGER PRIMARY KEY,
            dsp           TEXT NOT NULL,
            remote_path   TEXT NOT NULL,
            sha256        TEXT NOT NULL,
            size          INTEGER NOT NULL,
            generation    TEXT,
            message_id    TEXT,
            release_id    TEXT,
            batch_id      TEXT,
            status        TEXT,
            text          TEXT,
            delivery_id   INTEGER REFERENCES deliveries(id),
            outcome       TEXT NOT NULL,
            archived_path TEXT,
            received_at   TEXT NOT NULL,
            UNIQUE (dsp, remote_path, sha256)
        );
        """)
}
