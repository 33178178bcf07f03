/// The cluster subsystem's tables (`instances`, `leases`): the ddexd instances working on one store, and the leases
/// through which they share the work. `ClusterStore` implements it on SQLite (one instance holds every lease), and
/// `PostgresClusterStore` on PostgreSQL (any number of instances, on any hosts).
///
/// A lease names one unit of work (`package:<id>`, `delivery:<id>`, `poll:<dsp>`, `session:<dsp>:<n>`, …) and is
/// held by one instance until it expires. Its holder renews it with every heartbeat; once it has expired (the holder
/// died, or lost the database for longer than a lease lasts) another instance may take it over, and its
/// `generation` grows, so the old holder can tell that the work is no longer its own. Times are Unix seconds from
/// the caller's clock (`now`), which every instance must read alike: `LeaseKeeper` reads the store's (`storeTime`,
/// through `ClusterClock`), so a host whose clock is off neither takes live work over nor leaves dead work waiting.
///
/// Errors: `StoreError` when the store fails. Thread-safety: implementations are `Sendable` and blocking (call them
/// from the daemon's `BlockingPool`).
public protocol ClusterRepository: Sendable {
    /// Takes `resource` for `holder` until `now + duration`. Granted when nobody holds it, when `holder` already
    /// does (renewed, same generation), or when its lease has expired (taken over, next generation); nil while
    /// another instance holds it.
    func acquire(_ resource: String, holder: String, now: Double, duration: Double) throws -> Lease?

    /// Takes, in order, as many of `resources` as it can up to `limit`, skipping those another instance holds or is
    /// taking at this moment (on PostgreSQL `FOR UPDATE SKIP LOCKED`: instances claiming work together never wait
    /// for each other).
    func acquire(_ resources: [String], holder: String, now: Double, duration: Double, limit: Int) throws -> [Lease]

    /// Extends every lease `holder` still holds to `now + duration` and returns them; a lease taken over by another
    /// instance meanwhile is not among them. Also records the heartbeat of instance `holder`.
    func renew(holder: String, now: Double, duration: Double) throws -> [Lease]

    /// Gives `resource` back, if `holder` holds it.
    func release(_ resource: String, holder: String) throws

    /// Gives back every lease of `holder` (a clean shutdown), and marks the instance stopped at `now`.
    func releaseAll(holder: String, stoppedAt now: String) throws

    /// Drops the work leases (not the `instance:` ones) that expired before `cutoff`: units a dead instance held
    /// that nobody needed to take over (a claim it had finished), which would otherwise show it holding them for
    /// good. Anyone may take an expired lease, so dropping one changes no claim.
    func dropExpired(before cutoff: Double) throws

    /// The lease on `resource`, whoever holds it, expired or not.
    func lease(_ resource: String) throws -> Lease?

    /// Every lease, by resource.
    func leases() throws -> [Lease]

    /// Records an instance starting (or starting again with the same id).
    func register(_ instance: InstanceRecord) throws

    /// Every instance known, newest heartbeat first.
    func instances() throws -> [InstanceRecord]

    /// The store's own clock, Unix seconds, when instances on other hosts share it (PostgreSQL: the server's
    /// `clock_timestamp()`); nil when the store has no clock of its own (SQLite: one host).
    func storeTime() throws -> Double?
}

/// One unit of work held by one instance (`leases`).
public struct Lease: Sendable, Hashable {
    public var resource: String
    /// The instance id holding it.
    public var holder: String
    public var acquiredAt: Double
    public var expiresAt: Double
    /// 1 when first taken; one more at every change of holder.
    public var generation: Int64

    public init(resource: String, holder: String, acquiredAt: Double, expiresAt: Double, generation: Int64) {
        self.resource = resource
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
        self.generation = generation
    }

    /// True when the lease no longer protects its holder at `now`: another instance may take it.
    public func isExpired(at now: Double) -> Bool { expiresAt < now }
}

/// One ddexd process working on the store (`instances`).
public struct InstanceRecord: Sendable, Hashable {
    /// `<host>-<pid>-<random>`: unique per start, so a restarted process never inherits a dead one's leases by name.
    public var id: String
    public var host: String
    public var pid: Int64
    /// ddexd's version.
    public var version: String
    public var startedAt: String
    /// Unix seconds of its last heartbeat.
    public var heartbeatAt: Double
    /// Set when it stopped cleanly (its leases given back); nil while it runs or after it died.
    public var stoppedAt: String?

    public init(id: String, host: String, pid: Int64, version: String, startedAt: String, heartbeatAt: Double, stoppedAt: String? = nil) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.stoppedAt = stoppedAt
    }
}
