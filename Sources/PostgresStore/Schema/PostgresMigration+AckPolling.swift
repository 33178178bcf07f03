import Store

/// One of `PostgresMigrations.all`: the SQLite migration of the same version and name (in `Sources/Store/Schema/`), in
/// PostgreSQL's dialect. Released: never edited.
extension Migration {
    static let postgresAckPolling = Migration(version: 5, name: "ack-polling", sql: """
        ALTER TABLE deliveries ADD COLUMN ack_checked_at DOUBLE PRECISION;
        CREATE INDEX deliveries_awaiting_ack ON deliveries(dsp, state, ack_checked_at);
        """)
}
