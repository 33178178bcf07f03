/// The statement breakdown while a run adds to it: one row per payee × DSP × territory × release × track × use
/// type, found by open addressing over an index of `Int32`s (the rows themselves stay in one array, in the order
/// first seen). A run adds to it twice per matched line on average, so a `Dictionary` and its SipHash of a
/// six-field key would cost more than the line's other rules together.
struct BreakdownTable {
    struct Key: Equatable {
        var payee: Int32
        var dsp: Int32
        var territory: Int32
        var release: Int32
        var track: Int32
        var useType: Int32
    }

    struct Entry {
        var key: Key
        var usages: Int64
        var commission: Int64
        var net: Int64
    }

    private(set) var entries: [Entry] = []
    /// Slot → entry index + 1 (0 = empty); at most half full.
    private var slots: [Int32] = Array(repeating: 0, count: 1 << 12)
    private var mask = (1 << 12) - 1
    private let seed = UInt64.random(in: 1...UInt64.max)

    var count: Int { entries.count }

    /// Adds a share to the row of `key`, created when new, and returns the row's index (for `add(toRow:…)`).
    @inline(__always) @discardableResult
    mutating func add(_ key: Key, usages: Int64, commission: Int64, net: Int64) -> Int32 {
        var slot = Int(truncatingIfNeeded: hash(key)) & mask
        while true {
            let index = Int(slots[slot]) - 1
            if index < 0 { break }
            if entries[index].key == key {
                add(toRow: Int32(index), usages: usages, commission: commission, net: net)
                return Int32(index)
            }
            slot = (slot + 1) & mask
        }
        entries.append(Entry(key: key, usages: usages, commission: commission, net: net))
        slots[slot] = Int32(entries.count)
        if entries.count * 2 > slots.count { grow() }
        return Int32(entries.count - 1)
    }

    /// Adds a share to a row already found: consecutive lines of a report often repeat their key, and then
    /// skip the lookup.
    @inline(__always)
    mutating func add(toRow index: Int32, usages: Int64, commission: Int64, net: Int64) {
        let i = Int(index)
        entries[i].usages &+= usages
        entries[i].commission &+= commission
        entries[i].net &+= net
    }

    /// Hands the rows over (grouped by nothing, in the order first seen) and empties the table.
    mutating func takeEntries() -> [Entry] {
        slots = []
        mask = 0
        defer { entries = [] }
        return entries
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for i in entries.indices {
            var slot = Int(truncatingIfNeeded: hash(entries[i].key)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i + 1)
        }
    }

    @inline(__always)
    private func hash(_ k: Key) -> UInt64 {
        func mix(_ x: UInt64) -> UInt64 {
            let z = (x ^ (x >> 31)) &* 0x9E37_79B9_7F4A_7C15
            return z ^ (z >> 29)
        }
        let a = UInt64(UInt32(bitPattern: k.payee)) | UInt64(UInt32(bitPattern: k.track)) << 32
        let b = UInt64(UInt32(bitPattern: k.dsp)) | UInt64(UInt32(bitPattern: k.territory)) << 32
        let c = UInt64(UInt32(bitPattern: k.release)) | UInt64(UInt32(bitPattern: k.useType)) << 32
        return mix(mix(mix(seed ^ a) ^ b) ^ c)
    }
}
