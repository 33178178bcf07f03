import Store

/// One of `PostgresMigrations.all`: the SQLite migration of the same version and name (in `Sources/Store/Schema/`), in
/// PostgreSQL's dialect. Released: never edited.
extension Migration {
    static let postgresStateChecks = Migration(version: 6, name: "state-checks", sql: """
        ALTER TABLE packages ADD CONSTRAINT packages_state_check
            CHECK (state IN ('received', 'valid', 'rejected', 'built', 'done'));
        ALTER TABLE deliveries ADD CONSTRAINT deliveries_state_check
            CHECK (state IN ('queued', 'uploading', 'uploaded', 'completed', 'acknowledged', 'rejected-by-dsp',
                             'retry-wait', 'failed'));
        ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check CHECK (kind IN ('new-release', 'takedown'));
        ALTER TABLE delivery_files ADD CONSTRAINT delivery_files_role_check
            CHECK (role IN ('resource', 'message', 'completion'));
        ALTER TABLE acks ADD CONSTRAINT acks_outcome_check
            CHECK (outcome IN ('applied', 'unmatched', 'invalid', 'duplicate'));
        """)
}
