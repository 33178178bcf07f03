import Store

/// One of `PostgresMigrations.all`: the SQLite migration of the same version and name (in `Sources/Store/Schema/`), in
/// PostgreSQL's dialect. Released: never edited.
extension Migration {
    static let postgresCluster = Migration(version: 8, name: "cluster", sql: """
        CREATE TABLE instances (
            id           TEXT PRIMARY KEY,
            host         TEXT NOT NULL,
            pid          BIGINT NOT NULL,
            version      TEXT NOT NULL,
            started_at   TEXT NOT NULL,
            heartbeat_at DOUBLE PRECISION NOT NULL,
            stopped_at   TEXT
        );

        CREATE TABLE leases (
            resource    TEXT PRIMARY KEY,
            holder      TEXT NOT NULL,
            acquired_at DOUBLE PRECISION NOT NULL,
            expires_at  DOUBLE PRECISION NOT NULL,
            generation  BIGINT NOT NULL DEFAULT 1
        );
        CREATE INDEX leases_by_holder ON leases(holder);
        """)
}
