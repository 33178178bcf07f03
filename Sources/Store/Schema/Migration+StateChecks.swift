extension Migration {
    /// "Trust SQLite more than yourself": every state column of the packages and deliveries subsystem holds one
    /// of its machine's states. SQLite cannot add a CHECK constraint to an existing column, so existing stores
    /// get the same rule as triggers (the values are written out: a released migration never changes).
    static let stateChecks = Migration(version: 6, name: "state-checks", sql: """
        CREATE TRIGGER packages_state_insert BEFORE INSERT ON packages
        WHEN NEW.state NOT IN ('received', 'valid', 'rejected', 'built', 'done')
        BEGIN SELECT RAISE(ABORT, 'packages.state is not a PackageState'); END;
        CREATE TRIGGER packages_state_update BEFORE UPDATE OF state ON packages
        WHEN NEW.state NOT IN ('received', 'valid', 'rejected', 'built', 'done')
        BEGIN SELECT RAISE(ABORT, 'packages.state is not a PackageState'); END;

        CREATE TRIGGER deliveries_state_insert BEFORE INSERT ON deliveries
        WHEN NEW.state NOT IN ('queued', 'uploading', 'uploaded', 'completed', 'acknowledged', 'rejected-by-dsp',
                               'retry-wait', 'failed')
          OR NEW.kind NOT IN ('new-release', 'takedown')
        BEGIN SELECT RAISE(ABORT, 'deliveries.state is not a DeliveryState, or kind is unknown'); END;
        CREATE TRIGGER deliveries_state_update BEFORE UPDATE OF state ON deliveries
        WHEN NEW.state NOT IN ('queued', 'uploading', 'uploaded', 'completed', 'acknowledged', 'rejected-by-dsp',
                               'retry-wait', 'failed')
        BEGIN SELECT RAISE(ABORT, 'deliveries.state is not a DeliveryState'); END;

        CREATE TRIGGER delivery_files_role_insert BEFORE INSERT ON delivery_files
        WHEN NEW.role NOT IN ('resource', 'message', 'completion')
        BEGIN SELECT RAISE(ABORT, 'delivery_files.role is unknown'); END;

        CREATE TRIGGER acks_outcome_insert BEFORE INSERT ON acks
        WHEN NEW.outcome NOT IN ('applied', 'unmatched', 'invalid', 'duplicate')
        BEGIN SELECT RAISE(ABORT, 'acks.outcome is unknown'); END;
        CREATE TRIGGER acks_outcome_update BEFORE UPDATE OF outcome ON acks
        WHEN NEW.outcome NOT IN ('applied', 'unmatched', 'invalid', 'duplicate')
        BEGIN SELECT RAISE(ABORT, 'acks.outcome is unknown'); END;
        """)
}
