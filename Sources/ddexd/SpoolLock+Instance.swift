import DDEXConfig
import Store

extension SpoolLock {
    /// The lock a process that moves work holds on the spool: alone on SQLite, the whole spool's
    /// (`state/ddexd.lock`); on PostgreSQL, where instances share the spool and the leases in the database share the
    /// work, only its own file (`state/instances/<instance>.lock`), which tells an operator who is working on it.
    static func taking(for configuration: Configuration, instance: String) throws -> SpoolLock {
        configuration.store.kind == .sqlite
            ? try SpoolLock(stateFolder: configuration.spool.state)
            : try SpoolLock(stateFolder: configuration.spool.state + "/instances", name: instance + ".lock")
    }
}
