extension Migration {
    /// Work shared by several ddexd instances: the instances with their heartbeat, and leases on units of work
    /// (a package, a delivery, a DSP's polling, a statement run, a DSP session slot). A lease is held by one instance
    /// until it expires; its holder renews it with each heartbeat, and another instance takes it over once it has
    /// expired. `generation` grows at every change of holder, so a holder can tell that it lost a lease.
    /// With SQLite one instance holds them all; PostgreSQL has the same tables (`PostgresMigrations`).
    static let cluster = Migration(version: 8, name: "cluster", sql: """
        CREATE TABLE instances (
            id           TEXT PRIMARY KEY,
            host         TEXT NOT NULL,
            pid          INTEGER NOT NULL,
            version      TEXT NOT NULL,
            started_at   TEXT NOT NULL,
            heartbeat_at REAL NOT NULL,
            stopped_at   TEXT
        );

        CREATE TABLE leases (
            resource    TEXT PRIMARY KEY,
            holder      TEXT NOT NULL,
            acquired_at REAL NOT NULL,
            expires_at  REAL NOT NULL,
            generation  INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX leases_by_holder ON leases(holder);
        """)
}
