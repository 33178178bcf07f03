import Daemon
import DDEXModel
import Dispatch
import Store

/// A one-shot command working on a store that daemons share (PostgreSQL): it registers as an instance of the
/// cluster and takes leases on what it works on, like a daemon, so that neither side does a unit of work twice;
/// it gives them all back when it ends (`leave`).
///
/// It renews its leases in the background (`[daemon] lease_seconds` is short, 30 s by default, and one upload or
/// one statement run can outlast it; without renewal a daemon would take the unit over and do it again). A
/// command that dies leaves leases that simply expire, as a dead daemon's do.
final class CommandInstance {
    /// This process as an instance of the cluster.
    let record: InstanceRecord
    /// Its leases, for the services that take their own (`DeliveryPass`).
    let leases: LeaseKeeper
    private let heartbeat: any DispatchSourceTimer

    /// Registers this process with `cluster` and takes its instance lease, which lasts `leaseSeconds` between renewals.
    init(cluster: any ClusterRepository, leaseSeconds: Int) throws {
        record = InstanceRecord.current(version: Daemon.version)
        let leases = LeaseKeeper(instance: record.id, cluster: cluster, duration: Double(leaseSeconds))
        try cluster.register(record.beating(at: try leases.clock.synchronizedNow(with: cluster)))
        _ = try leases.acquire(leases.instanceResource)
        self.leases = leases
        // Three renewals per lease, as the daemon does: one missed beat does not lose anything.
        let interval = max(Double(leaseSeconds) / 3, 0.5)
        heartbeat = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ddexd.command-heartbeat"))
        heartbeat.schedule(deadline: .now() + interval, repeating: interval)
        heartbeat.setEventHandler { _ = try? leases.heartbeat() }
        heartbeat.resume()
    }

    /// Takes `resource`; false when another instance holds it.
    func take(_ resource: String) throws -> Bool { try leases.acquire(resource) }

    /// Gives `resource` back (it expires by itself if that fails).
    func giveBack(_ resource: String) { leases.releaseQuietly(resource) }

    /// Stops renewing, gives back every lease and records the instance as stopped.
    func leave() {
        heartbeat.cancel()
        try? leases.cluster.releaseAll(holder: record.id, stoppedAt: Timestamp.format())
    }
}
