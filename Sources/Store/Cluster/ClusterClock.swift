import DDEXRuntime
import Foundation

/// The time leases are reckoned in.
///
/// Instances on several hosts compare one another's lease times, so they must read one clock. A host whose clock is
/// ahead would otherwise see live leases as expired and do their work a second time, and one whose clock is behind
/// would leave a dead instance's work waiting. The clock they share is the store's (`ClusterRepository.storeTime`:
/// the PostgreSQL server's). This host follows it through an offset measured at every heartbeat: the store's time
/// minus the midpoint of the round trip, so the offset is right within half the round trip (`Reading.uncertainty`).
/// On SQLite every instance is on this host, and the clock is this host's.
///
/// The offset also tells an operator how far this host's clock is off (`Reading.isSkewed`). Logs and status files
/// still show this host's time, which is why the daemon warns about skew (`CLOCK_SKEW`).
///
/// Thread-safe.
public final class ClusterClock: Sendable {
    /// One measurement of this host's clock against the store's.
    public struct Reading: Sendable, Equatable {
        /// Seconds to add to this host's clock to get the store's.
        public var offset: Double
        /// How far `offset` may be wrong: half the round trip it was measured over.
        public var uncertainty: Double

        public init(offset: Double, uncertainty: Double) {
            self.offset = offset
            self.uncertainty = uncertainty
        }

        /// An offset of more than a second, beyond the measurement's error, is a host clock out of sync: NTP is not
        /// doing its work there.
        public var isSkewed: Bool { abs(offset) - uncertainty > Self.skewTolerance }

        /// Seconds of offset taken as normal.
        public static let skewTolerance = 1.0
    }

    /// A round trip slower than this measures too loosely to replace a reading taken over a faster one.
    static let loosestRoundTrip = 2.0

    private let host: @Sendable () -> Double
    private let followsStore: Bool
    private let last = Locked<Reading?>(nil)

    /// A clock that follows the store's: this host's clock (`host`, Unix seconds; tests move it) plus the offset
    /// `synchronize` measures.
    public init(host: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.host = host
        followsStore = true
    }

    /// A clock that is `host` alone, whatever the store's clock says (tests that move time by hand).
    public init(fixed host: @escaping @Sendable () -> Double) {
        self.host = host
        followsStore = false
    }

    /// The time now, in Unix seconds of the store's clock as far as the last reading knows (this host's before any).
    public func now() -> Double { host() + (last.current?.offset ?? 0) }

    /// Measures the clocks (`synchronize`), then gives the time now.
    public func synchronizedNow(with cluster: any ClusterRepository) throws -> Double {
        try synchronize(with: cluster)
        return now()
    }

    /// The last reading; nil before the first, or when the store has no clock of its own (SQLite).
    public var reading: Reading? { last.current }

    /// True until a first reading is taken from a store that has a clock of its own.
    var needsReading: Bool { followsStore && last.current == nil }

    /// Measures this host's clock against the store's and keeps the reading, unless it was taken over a round trip
    /// too slow to trust while a better one is known. Returns the reading in force; nil when the store has no clock
    /// of its own. Throws the store's error (`STORE_*`).
    @discardableResult
    public func synchronize(with cluster: any ClusterRepository) throws -> Reading? {
        guard followsStore else { return nil }
        let sent = host()
        guard let storeTime = try cluster.storeTime() else { return nil }
        let received = host()
        let measured = Reading(offset: storeTime - (sent + received) / 2, uncertainty: max(0, received - sent) / 2)
        return last.withLock { kept in
            if kept == nil || measured.uncertainty * 2 <= Self.loosestRoundTrip { kept = measured }
            return kept
        }
    }
}
