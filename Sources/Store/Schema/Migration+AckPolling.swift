extension Migration {
    /// Acknowledgement polling that grows with what is new: when each delivery's acknowledgement folder was
    /// last listed, so that a pass lists a delivery again only after a wait that grows with its age.
    static let ackPolling = Migration(version: 5, name: "ack-polling", sql: """
        ALTER TABLE deliveries ADD COLUMN ack_checked_at REAL;
        CREATE INDEX deliveries_awaiting_ack ON deliveries(dsp, state, ack_checked_at);
        """)
}
