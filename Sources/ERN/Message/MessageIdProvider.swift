import DDEXModel

/// Hands out `MessageId`s: unique in combination with the sender's DPID and never re-used (ERN.md §2.1).
///
/// The store replaces the default with a persisted counter; anything conforming must survive restarts
/// without handing out an id twice.
public protocol MessageIdProvider: Sendable {
    /// A MessageId this provider has never returned for `sender`.
    func nextMessageId(sender: DPID, at time: MessageTimestamp) throws -> String
}

/// Time plus 64 random bits: `20250301120000000-9f86d081884c7d65`.
///
/// Unique without state (a collision needs the same millisecond and the same 64 random bits), so it is a
/// safe default until the store provides a persisted counter. The timestamp prefix keeps ids sortable.
public struct TimeRandomMessageIdProvider: MessageIdProvider {
    public init() {}

    /// `<compact UTC time>-<16 random hex digits>`.
    public func nextMessageId(sender: DPID, at time: MessageTimestamp) throws -> String {
        var rng = SystemRandomNumberGenerator()
        let r = String(rng.next() as UInt64, radix: 16)
        return time.compactUTC + "-" + String(repeating: "0", count: 16 - r.count) + r
    }
}
