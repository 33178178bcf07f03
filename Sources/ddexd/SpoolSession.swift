import ArgumentParser
import DDEXConfig
import Foundation
import Store

/// What one-shot commands that move work (`deliver`, `poll`) hold while they run: the configuration, the store and
/// their claim on the work. Alone on SQLite that claim is the spool lock (so they never work beside a running
/// daemon); on PostgreSQL, daemons may run on the same store and spool, and the command works beside them as one
/// more instance of the cluster (`cluster`), under leases.
final class SpoolSession {
    let configuration: Configuration
    let store: StoreConnection
    /// This command as an instance of the cluster, on a shared store; nil on SQLite.
    let cluster: CommandInstance?
    private var lock: SpoolLock?

    /// Loads the configuration, takes the spool lock on SQLite (exit 2 when it is held), opens the store and, on a
    /// shared store, joins the cluster and locks its own instance file.
    init(_ global: GlobalOptions, command: String) throws {
        configuration = try global.loadConfiguration()
        do {
            lock = configuration.store.kind == .sqlite ? try SpoolLock(stateFolder: configuration.spool.state) : nil
        } catch {
            FileHandle.standardError.write(Data("ddexd \(command): \(error)\n".utf8))
            throw ExitCode(2)
        }
        store = try StoreConnection(configuration, logger: CommandLogging.logger(label: "ddexd." + command))
        var joined: CommandInstance?
        do {
            joined = store.isShared
                ? try CommandInstance(cluster: store.repositories.cluster, leaseSeconds: configuration.daemon.leaseSeconds) : nil
            if let joined { lock = try SpoolLock.taking(for: configuration, instance: joined.record.id) }
        } catch {
            joined?.leave()
            store.close()
            throw error
        }
        cluster = joined
    }

    /// The DSP profiles a `--dsp` option selects: that one (enabled or not), or every enabled one.
    func profiles(named name: String?) throws -> [DSPProfile] {
        guard let name else { return configuration.enabledDSPs }
        guard let profile = configuration.dsps[name] else {
            throw ValidationError("no DSP profile named '\(name)' (configured: \(configuration.dsps.keys.sorted().joined(separator: ", ")))")
        }
        return [profile]
    }

    /// Leaves the cluster (every lease given back) and closes the store; the spool lock goes with the session.
    func end() {
        cluster?.leave()
        store.close()
    }
}
