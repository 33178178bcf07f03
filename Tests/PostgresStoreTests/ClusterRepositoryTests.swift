import DDEXRuntime
import Foundation
import PostgresStore
import Store
import TestSupport
import XCTest

/// The cluster subsystem's contract (`ClusterRepository`), checked on SQLite and on PostgreSQL, and `LeaseKeeper`
/// over it.
final class ClusterRepositoryTests: RepositoryContractTestCase {
    func testALeaseIsHeldByOneInstanceUntilItExpiresThenTakenOverWithTheNextGeneration() throws {
        onEachEngine { repositories in
            let cluster = repositories.cluster
            let first = try XCTUnwrap(cluster.acquire("delivery:1", holder: "a", now: 100, duration: 10))
            XCTAssertEqual(first, Lease(resource: "delivery:1", holder: "a", acquiredAt: 100, expiresAt: 110, generation: 1))
            XCTAssertNil(try cluster.acquire("delivery:1", holder: "b", now: 105, duration: 10), "held by a")
            XCTAssertNil(try cluster.acquire("delivery:1", holder: "b", now: 110, duration: 10), "expires after 110, not at it")
            let renewed = try XCTUnwrap(cluster.acquire("delivery:1", holder: "a", now: 109, duration: 10))
            XCTAssertEqual(renewed.generation, 1, "its holder renews it")
            XCTAssertEqual(renewed.expiresAt, 119)
            XCTAssertEqual(renewed.acquiredAt, 100)
            let taken = try XCTUnwrap(cluster.acquire("delivery:1", holder: "b", now: 120, duration: 10))
            XCTAssertEqual(taken, Lease(resource: "delivery:1", holder: "b", acquiredAt: 120, expiresAt: 130, generation: 2))
            XCTAssertEqual(try cluster.lease("delivery:1"), taken)
        }
    }

    func testRenewExtendsOnlyTheHoldersLeasesAndLeavesOutThoseTakenOver() throws {
        onEachEngine { repositories in
            let cluster = repositories.cluster
            try cluster.register(InstanceRecord(id: "a", host: "h", pid: 1, version: "t", startedAt: "s", heartbeatAt: 100))
            _ = try cluster.acquire("x", holder: "a", now: 100, duration: 10)
            _ = try cluster.acquire("y", holder: "a", now: 100, duration: 10)
            _ = try cluster.acquire("z", holder: "c", now: 100, duration: 10)
            _ = try cluster.acquire("y", holder: "b", now: 111, duration: 10) // a was away: y expired and was taken
            let kept = try cluster.renew(holder: "a", now: 112, duration: 10)
            XCTAssertEqual(kept.map(\.resource), ["x"])
            XCTAssertEqual(kept.first?.expiresAt, 122)
            XCTAssertEqual(try cluster.lease("z")?.expiresAt, 110, "another holder's lease is untouched")
            XCTAssertEqual(try cluster.instances().first?.heartbeatAt, 112)
        }
    }

    func testABatchClaimTakesFreeAndExpiredResourcesInOrderUpToTheLimit() throws {
        onEachEngine { repositories in
            let cluster = repositories.cluster
            _ = try cluster.acquire("d:2", holder: "b", now: 100, duration: 10)
            _ = try cluster.acquire("d:3", holder: "b", now: 80, duration: 10)
            let taken = try cluster.acquire(["d:1", "d:2", "d:3", "d:4"], holder: "a", now: 100, duration: 10, limit: 2)
            XCTAssertEqual(taken.map(\.resource), ["d:1", "d:3"])
            XCTAssertEqual(taken.map(\.generation), [1, 2])
            XCTAssertEqual(try cluster.acquire(["d:9"], holder: "a", now: 100, duration: 10, limit: 0), [])
        }
    }

    func testReleaseGivesBackOnlyTheHoldersLeaseAndReleaseAllStopsTheInstance() throws {
        onEachEngine { repositories in
            let cluster = repositories.cluster
            try cluster.register(InstanceRecord(id: "a", host: "h", pid: 1, version: "t", startedAt: "s", heartbeatAt: 100))
            _ = try cluster.acquire("x", holder: "a", now: 100, duration: 10)
            _ = try cluster.acquire("y", holder: "a", now: 100, duration: 10)
            try cluster.release("x", holder: "b")
            XCTAssertNotNil(try cluster.lease("x"), "b cannot give back a's lease")
            try cluster.release("x", holder: "a")
            XCTAssertNil(try cluster.lease("x"))
            XCTAssertNotNil(try cluster.acquire("x", holder: "b", now: 101, duration: 10), "free again at once")
            try cluster.releaseAll(holder: "a", stoppedAt: "later")
            XCTAssertEqual(try cluster.leases().map(\.resource), ["x"])
            XCTAssertEqual(try cluster.instances().first?.stoppedAt, "later")
            try cluster.register(InstanceRecord(id: "a", host: "h", pid: 1, version: "t", startedAt: "s", heartbeatAt: 200))
            XCTAssertNil(try cluster.instances().first?.stoppedAt, "registering again clears the stop")
        }
    }

    func testTheKeeperTracksWhatItHoldsConfirmsBeforeIrreversibleStepsAndHearsOfLosses() throws {
        onEachEngine { repositories in
            let cluster = repositories.cluster
            let time = Locked<Double>(100)
            let a = LeaseKeeper(instance: "a", cluster: cluster, duration: 10, clock: { time.current })
            let b = LeaseKeeper(instance: "b", cluster: cluster, duration: 10, clock: { time.current })
            XCTAssertTrue(try a.acquire("delivery:7"))
            XCTAssertFalse(try b.acquire("delivery:7"))
            XCTAssertFalse(try a.acquireUnheld("delivery:7"), "a holds it already")
            XCTAssertNoThrow(try a.confirm("delivery:7"))
            time.withLock { $0 = 111 } // a missed its heartbeats
            XCTAssertTrue(try b.acquireUnheld("delivery:7"))
            XCTAssertThrowsError(try a.confirm("delivery:7")) { XCTAssertEqual(($0 as? LeaseLost)?.code, "LEASE_LOST") }
            XCTAssertTrue(try a.acquire("delivery:8"))
            XCTAssertTrue(try b.acquire("delivery:9"))
            time.withLock { $0 = 122 }
            XCTAssertTrue(try b.acquire("delivery:8"), "a's lease on 8 expired too")
            XCTAssertEqual(try a.heartbeat(), ["delivery:8"], "the heartbeat hears of the loss")
            XCTAssertFalse(a.holds("delivery:8"))
            XCTAssertEqual(try b.heartbeat(), [])
            XCTAssertEqual(b.heldLeases.map(\.resource), ["delivery:7", "delivery:8", "delivery:9"])
            try b.release("delivery:9")
            XCTAssertEqual(try cluster.leases().map(\.resource), ["delivery:7", "delivery:8"])
        }
    }

    func testLeasesADeadInstanceLeftThatNobodyTookOverAreDroppedALeaseLaterAndItsInstanceLeaseIsKept() throws {
        onEachEngine { repositories in
            let time = Locked<Double>(100)
            let dead = LeaseKeeper(instance: "dead", cluster: repositories.cluster, duration: 10, clock: { time.current })
            let alive = LeaseKeeper(instance: "alive", cluster: repositories.cluster, duration: 10, clock: { time.current })
            XCTAssertTrue(try dead.acquire(dead.instanceResource))
            XCTAssertTrue(try dead.acquire("inbound:label/release-1"))
            XCTAssertTrue(try alive.acquire("delivery:1"))
            time.withLock { $0 = 115 } // expired at 110, but not for a whole lease yet
            XCTAssertEqual(try alive.heartbeat(), [])
            XCTAssertEqual(try repositories.cluster.leases().map(\.resource), ["delivery:1", "inbound:label/release-1", "instance:dead"])
            time.withLock { $0 = 121 }
            XCTAssertEqual(try alive.heartbeat(), [])
            XCTAssertEqual(try repositories.cluster.leases().map(\.resource), ["delivery:1", "instance:dead"],
                           "the finished claim's lease is gone; the dead instance's own lease stays for status --cluster")
        }
    }

    func testALeaseGivenBackWhileTheStoreWasAwayIsGivenBackByTheNextHeartbeat() throws {
        onEachEngine { repositories in
            let away = AwayCluster(repositories.cluster)
            let time = Locked<Double>(100)
            let a = LeaseKeeper(instance: "a", cluster: away, duration: 10, clock: { time.current })
            let b = LeaseKeeper(instance: "b", cluster: repositories.cluster, duration: 10, clock: { time.current })
            XCTAssertTrue(try a.acquire("delivery:1"))
            XCTAssertTrue(try a.acquire("delivery:2"))
            away.isAway.withLock { $0 = true }
            XCTAssertThrowsError(try a.release("delivery:1"))
            XCTAssertThrowsError(try a.release("delivery:2"))
            away.isAway.withLock { $0 = false }
            XCTAssertTrue(try a.acquire("delivery:2"), "taken again before the heartbeat: it stays a's")
            XCTAssertEqual(try a.heartbeat(), [])
            XCTAssertEqual(try repositories.cluster.leases().filter { $0.holder == "a" }.map(\.resource), ["delivery:2"],
                           "the heartbeat gave back what the store missed, and only that")
            XCTAssertTrue(try b.acquire("delivery:1"), "another instance takes it at once, not after the lease would expire")
            XCTAssertFalse(try b.acquire("delivery:2"))
        }
    }

    func testInstancesWhoseHostClocksAreOffReckonLeasesOnTheDatabaseServersClock() throws {
        let database = try makePostgresDatabase(name: try createPostgresDatabase())
        defer { database.close() }
        let cluster = PostgresClusterStore(database: database)
        func host(_ skew: Double) -> ClusterClock { ClusterClock(host: { Date().timeIntervalSince1970 + skew }) }
        let onTime = LeaseKeeper(instance: "on-time", cluster: cluster, duration: 30, clock: host(0))
        let ahead = LeaseKeeper(instance: "ahead", cluster: cluster, duration: 30, clock: host(600))
        let behind = LeaseKeeper(instance: "behind", cluster: cluster, duration: 30, clock: host(-600))

        XCTAssertTrue(try onTime.acquire("delivery:1"))
        XCTAssertFalse(try ahead.acquire("delivery:1"), "ten minutes ahead, its own clock sees a live lease as long expired")
        XCTAssertTrue(try behind.acquire("delivery:2"))
        XCTAssertEqual(try XCTUnwrap(try cluster.lease("delivery:2")).expiresAt, try XCTUnwrap(try cluster.storeTime()) + 30, accuracy: 2)
        XCTAssertFalse(try onTime.acquire("delivery:2"), "the lease runs from the server's time, not from ten minutes ago")

        let dead = LeaseKeeper(instance: "dead", cluster: cluster, duration: 0.5, clock: host(0))
        XCTAssertTrue(try dead.acquire("delivery:3"))
        Thread.sleep(forTimeInterval: 1)
        XCTAssertTrue(try behind.acquire("delivery:3"), "ten minutes behind, its own clock would leave expired work waiting")
        XCTAssertTrue(try ahead.acquire("delivery:4"))
        XCTAssertEqual(try ahead.heartbeat(), [], "its own leases renew on the server's clock too")

        let offsets = try [onTime, ahead, behind].map { try XCTUnwrap($0.clock.reading) }
        XCTAssertEqual(offsets[1].offset, -600, accuracy: 1)
        XCTAssertEqual(offsets[2].offset, 600, accuracy: 1)
        XCTAssertEqual(offsets.map(\.isSkewed), [false, true, true])
    }

    func testTheClusterClockFollowsTheStoresClockWithinHalfTheRoundTrip() throws {
        let host = Locked<Double>(1_000)
        let store = ScriptedClockCluster { () -> Double? in
            // The store answers 2 s into a 4 s round trip, by a clock 50 s ahead of this host's.
            host.withLock { $0 += 2 }
            defer { host.withLock { $0 += 2 } }
            return host.current + 50
        }
        let clock = ClusterClock(host: { host.current })
        XCTAssertEqual(clock.now(), 1_000, "this host's time before the first reading")
        XCTAssertEqual(try clock.synchronize(with: store), ClusterClock.Reading(offset: 50, uncertainty: 2))
        XCTAssertEqual(clock.now(), 1_054)
        XCTAssertTrue(try XCTUnwrap(clock.reading).isSkewed)

        // A reading over a round trip too slow to trust does not replace a better one.
        store.answer.withLock { $0 = { host.withLock { $0 += 10 }; defer { host.withLock { $0 += 10 } }; return host.current + 80 } }
        XCTAssertEqual(try clock.synchronize(with: store), ClusterClock.Reading(offset: 50, uncertainty: 2))
        store.answer.withLock { $0 = { host.current + 0.5 } }
        XCTAssertEqual(try clock.synchronize(with: store), ClusterClock.Reading(offset: 0.5, uncertainty: 0))
        XCTAssertFalse(try XCTUnwrap(clock.reading).isSkewed, "less than a second off is normal")

        XCTAssertNil(try ClusterClock(fixed: { host.current }).synchronize(with: store), "a fixed clock never follows")
        let sqlite = try makeRepositories(.sqlite)
        XCTAssertNil(try ClusterClock().synchronize(with: sqlite.cluster), "SQLite: one host, its clock")
    }

    func testTwoInstancesRacingForTheSameWorkOnPostgreSQLNeverBothGetIt() throws {
        let name = try createPostgresDatabase()
        let (firstDatabase, secondDatabase) = (try makePostgresDatabase(name: name), try makePostgresDatabase(name: name))
        defer { firstDatabase.close(); secondDatabase.close() }
        let first = PostgresClusterStore(database: firstDatabase)
        let second = PostgresClusterStore(database: secondDatabase)
        let resources = (1...200).map { "delivery:\($0)" }
        let won = Locked<[String: [String]]>([:])
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let (holder, cluster) = index % 2 == 0 ? ("a\(index)", first) : ("b\(index)", second)
            var mine: [String] = []
            while true {
                let wanted = resources.filter { !mine.contains($0) }
                guard let taken = try? cluster.acquire(wanted, holder: holder, now: 100, duration: 60, limit: 7) else { return }
                if taken.isEmpty { break }
                mine += taken.map(\.resource)
            }
            won.withLock { $0[holder] = mine }
        }
        let all = won.current.values.flatMap { $0 }
        XCTAssertEqual(all.count, 200, "every resource was taken")
        XCTAssertEqual(Set(all).count, 200, "no resource was taken by two instances")
        XCTAssertEqual(won.current.count, 4)
    }
}

/// A cluster repository whose releases fail while `isAway` (the database gone for a moment).
private final class AwayCluster: ClusterRepository {
    let base: any ClusterRepository
    let isAway = Locked(false)

    init(_ base: any ClusterRepository) { self.base = base }

    func acquire(_ resource: String, holder: String, now: Double, duration: Double) throws -> Lease? {
        try base.acquire(resource, holder: holder, now: now, duration: duration)
    }

    func acquire(_ resources: [String], holder: String, now: Double, duration: Double, limit: Int) throws -> [Lease] {
        try base.acquire(resources, holder: holder, now: now, duration: duration, limit: limit)
    }

    func renew(holder: String, now: Double, duration: Double) throws -> [Lease] {
        try base.renew(holder: holder, now: now, duration: duration)
    }

    func release(_ resource: String, holder: String) throws {
        if isAway.current { throw StoreError(.unreachable, message: "the database is away") }
        try base.release(resource, holder: holder)
    }

    func releaseAll(holder: String, stoppedAt now: String) throws { try base.releaseAll(holder: holder, stoppedAt: now) }
    func dropExpired(before cutoff: Double) throws { try base.dropExpired(before: cutoff) }
    func lease(_ resource: String) throws -> Lease? { try base.lease(resource) }
    func leases() throws -> [Lease] { try base.leases() }
    func register(_ instance: InstanceRecord) throws { try base.register(instance) }
    func instances() throws -> [InstanceRecord] { try base.instances() }
    func storeTime() throws -> Double? { try base.storeTime() }
}

/// A cluster repository whose store clock answers as scripted (`answer`), for `ClusterClock`; nothing else is used.
private final class ScriptedClockCluster: ClusterRepository {
    let answer: Locked<@Sendable () -> Double?>

    init(_ answer: @escaping @Sendable () -> Double?) { self.answer = Locked(answer) }

    func storeTime() throws -> Double? { try answer.current() }
    func acquire(_ resource: String, holder: String, now: Double, duration: Double) throws -> Lease? { nil }
    func acquire(_ resources: [String], holder: String, now: Double, duration: Double, limit: Int) throws -> [Lease] { [] }
    func renew(holder: String, now: Double, duration: Double) throws -> [Lease] { [] }
    func release(_ resource: String, holder: String) throws {}
    func releaseAll(holder: String, stoppedAt now: String) throws {}
    func dropExpired(before cutoff: Double) throws {}
    func lease(_ resource: String) throws -> Lease? { nil }
    func leases() throws -> [Lease] { [] }
    func register(_ instance: InstanceRecord) throws {}
    func instances() throws -> [InstanceRecord] { [] }
}
