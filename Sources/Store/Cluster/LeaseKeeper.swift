import DDEXModel
import DDEXRuntime
import Foundation

/// This instance's hold on units of work: takes leases through the cluster repository, knows which it holds, renews
/// them all with each heartbeat, and hears which it lost.
///
/// Every service that starts a unit of work (a package step, a delivery, a DSP's polling pass, a session slot) takes
/// its lease first and skips the unit when another instance holds it; it gives the lease back when the unit is
/// done. A unit left behind by an instance that died is taken over once that instance's lease has expired. Before
/// an irreversible step (a delivery's completion file) the holder confirms in the store that the lease is still its
/// own (`confirm`), so an instance that was cut off for longer than a lease lasts stops instead of racing the one
/// that took its work over.
///
/// Thread-safe; blocking (the repository's calls are).
public final class LeaseKeeper: Sendable {
    /// This instance's id, the holder of its leases.
    public let instance: String
    public let cluster: any ClusterRepository
    /// How long a lease lasts without a heartbeat, in seconds.
    public let duration: Double
    /// The time leases are reckoned in: the store's, followed from this host's clock.
    public let clock: ClusterClock
    private let held = Locked<[String: Lease]>([:])
    /// Leases given back here whose row the store kept (it was away): the heartbeat renews every row of this
    /// holder, so without another try they would stay this instance's for as long as it lives.
    private let unreleased = Locked<Set<String>>([])
    /// Orders taking a lease against the heartbeat giving back an `unreleased` one, so that a lease taken again
    /// meanwhile is never given back under the new holder's feet.
    private let releaseGate = NSLock()

    /// A keeper for `instance`, reckoning in `clock` (by default the store's clock, followed from this host's).
    public init(instance: String, cluster: any ClusterRepository, duration: Double, clock: ClusterClock = ClusterClock()) {
        self.instance = instance
        self.cluster = cluster
        self.duration = duration
        self.clock = clock
    }

    /// A keeper whose time is `clock` alone, Unix seconds, whatever the store's clock says (tests move it by hand).
    public convenience init(instance: String, cluster: any ClusterRepository, duration: Double,
                            clock: @escaping @Sendable () -> Double)
    {
        self.init(instance: instance, cluster: cluster, duration: duration, clock: ClusterClock(fixed: clock))
    }

    /// The time now, on the store's clock: read from the store first if it never was.
    private func now() throws -> Double {
        if clock.needsReading { try clock.synchronize(with: cluster) }
        return clock.now()
    }

    /// The lease that names this instance itself: held as long as the instance lives, so others can tell a dead
    /// instance (its lease expired) from a live one.
    public var instanceResource: String { "instance:" + instance }

    /// Takes `resource`; false when another instance holds it. Taking one this instance holds already renews it.
    public func acquire(_ resource: String) throws -> Bool {
        keep([resource])
        guard let lease = try cluster.acquire(resource, holder: instance, now: try now(), duration: duration) else { return false }
        held.withLock { $0[resource] = lease }
        return true
    }

    /// Takes as many of `resources` as it can, in order, up to `limit`; returns those taken.
    public func acquire(_ resources: [String], limit: Int) throws -> [String] {
        keep(resources)
        let leases = try cluster.acquire(resources, holder: instance, now: try now(), duration: duration, limit: limit)
        held.withLock { for lease in leases { $0[lease.resource] = lease } }
        return leases.map(\.resource)
    }

    /// Takes `resource` only when no one holds it now, not even this instance (a unit left behind by a dead
    /// instance, or by this one before a restart); false when it is held, by anyone.
    public func acquireUnheld(_ resource: String) throws -> Bool {
        guard !holds(resource) else { return false }
        return try acquire(resource)
    }

    /// Gives `resource` back. When the store cannot be reached the heartbeat gives it back later.
    public func release(_ resource: String) throws {
        held.withLock { _ = $0.removeValue(forKey: resource) }
        do {
            try cluster.release(resource, holder: instance)
        } catch {
            unreleased.withLock { _ = $0.insert(resource) }
            throw error
        }
    }

    /// Resources about to be taken are no longer to be given back.
    private func keep(_ resources: [String]) {
        releaseGate.withLock { unreleased.withLock { $0.subtract(resources) } }
    }

    /// Gives back the leases whose release the store missed; those that fail again wait for the next heartbeat.
    private func retryReleases() {
        releaseGate.withLock {
            for resource in unreleased.current.sorted() {
                guard (try? cluster.release(resource, holder: instance)) != nil else { return }
                unreleased.withLock { _ = $0.remove(resource) }
            }
        }
    }

    /// Gives `resource` back, reporting nothing: the lease then simply expires (work that ends on an error).
    public func releaseQuietly(_ resource: String) {
        try? release(resource)
    }

    /// True when this instance took `resource` and has not lost it, as far as the last heartbeat knows.
    public func holds(_ resource: String) -> Bool {
        held.withLock { $0[resource] != nil }
    }

    /// The leases this instance holds, by resource.
    public var heldLeases: [Lease] { held.withLock { $0.values.sorted { $0.resource < $1.resource } } }

    /// Checks in the store that `resource` is still this instance's, with the generation it took it at; throws
    /// `LeaseLost` otherwise. Call it before an irreversible step.
    public func confirm(_ resource: String) throws {
        let mine = held.withLock { $0[resource] }
        guard let mine, let current = try cluster.lease(resource), current.holder == instance,
              current.generation == mine.generation, !current.isExpired(at: try now())
        else {
            held.withLock { _ = $0.removeValue(forKey: resource) }
            throw LeaseLost(resource: resource, instance: instance)
        }
    }

    /// Renews every lease this instance holds (and its heartbeat); returns the resources it lost, taken over by
    /// another instance after they expired.
    @discardableResult
    public func heartbeat() throws -> [String] {
        retryReleases()
        // A heartbeat measures the clocks again: a host's clock drifts, and NTP may step it.
        try clock.synchronize(with: cluster)
        let now = clock.now()
        let renewed = try cluster.renew(holder: instance, now: now, duration: duration)
        // Expired for a whole lease's life: nobody is coming back for it.
        try? cluster.dropExpired(before: now - duration)
        let kept = Dictionary(uniqueKeysWithValues: renewed.map { ($0.resource, $0) })
        return held.withLock { held in
            let lost = held.keys.filter { resource in kept[resource]?.generation != held[resource]?.generation }
            for resource in lost { held.removeValue(forKey: resource) }
            for (resource, lease) in kept where held[resource] != nil { held[resource] = lease }
            return lost.sorted()
        }
    }
}

/// A lease this instance held was taken over by another instance (`LEASE_LOST`): the work it covered is no longer
/// this instance's to finish.
public struct LeaseLost: CodedError {
    public let resource: String
    public let instance: String
    public var code: String { "LEASE_LOST" }
    public var description: String {
        "\(code): \(resource) is no longer held by instance \(instance) (it expired and another instance took it over)"
    }
}
