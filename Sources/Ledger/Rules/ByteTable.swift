/// Maps byte strings (cells read straight from the store) to dense `Int32` ids without building a `String` per
/// lookup: the statement run's hot loop resolves ISRCs, release ICPNs and use types ten million times a run, and
/// a `String` and its hashing cost more than the rest of a line's rules.
///
/// Open addressing with linear probing over a power-of-two table; the keys live once in one byte arena. The
/// last key found is remembered, because consecutive lines of a report mostly repeat their cells.
struct ByteTable {
    private var arena: [UInt8] = []
    /// Per id: where its key starts in `arena` (high 44 bits) and its length (low 20 bits).
    private var spans: [UInt64] = []
    /// Slot → the key's hash (high 32 bits) and its id + 1 (low 32 bits); 0 = empty. One word per slot, so a
    /// lookup that misses the cache misses it once for the slot, not once per array.
    private var slots: [UInt64]
    private var mask: Int
    private var lastId: Int32 = -1
    /// A per-table seed, so keys crafted to collide in one run do not collide in another.
    private let seed = UInt64.random(in: 1...UInt64.max)

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { spans.count }

    /// The key of `id`, as text.
    func name(_ id: Int32) -> String {
        let (start, count) = span(id)
        return arena.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<start + count]), as: UTF8.self) }
    }

    /// Every key as text, by id.
    var names: [String] { (0..<Int32(spans.count)).map(name) }

    /// The id of `key`, or nil when it was never added.
    mutating func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        if lastId >= 0, equals(lastId, key) { return lastId }
        let keyHash = hash(key)
        let tag = keyHash >> 32
        var slot = Int(truncatingIfNeeded: keyHash) & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if entry >> 32 == tag {
                let id = Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if equals(id, key) {
                    lastId = id
                    return id
                }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The id of `key`, added when new. Keys are at most 1 MiB (cells are far shorter).
    mutating func id(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let known = find(key) { return known }
        let id = Int32(spans.count)
        spans.append(UInt64(arena.count) << 20 | UInt64(min(key.count, (1 << 20) - 1)))
        arena.append(contentsOf: key.prefix((1 << 20) - 1))
        if spans.count * 2 > slots.count { grow() }
        insert(id, hash: hash(UnsafeBufferPointer(rebasing: key.prefix((1 << 20) - 1))))
        lastId = id
        return id
    }

    /// The id of `key`, added when new.
    mutating func id(_ key: String) -> Int32 {
        var key = key
        return key.withUTF8 { id($0) }
    }

    private mutating func insert(_ id: Int32, hash: UInt64) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = (hash >> 32) << 32 | UInt64(UInt32(id) + 1)
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for entry in old where entry != 0 {
            let id = Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
            let (start, count) = span(id)
            let keyHash = arena.withUnsafeBufferPointer { hash(UnsafeBufferPointer(rebasing: $0[start..<start + count])) }
            insert(id, hash: keyHash)
        }
    }

    @inline(__always)
    private func span(_ id: Int32) -> (start: Int, count: Int) {
        let packed = spans[Int(id)]
        return (Int(packed >> 20), Int(packed & 0xF_FFFF))
    }

    @inline(__always)
    private func equals(_ id: Int32, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let (start, count) = span(id)
        guard count == key.count else { return false }
        return arena.withUnsafeBufferPointer { stored in
            var i = 0
            while i < count {
                if stored[start + i] != key[i] { return false }
                i += 1
            }
            return true
        }
    }

    /// A seeded 64-bit hash reading 8 bytes at a time (keys are short: an ISRC is 12 bytes, an ICPN 13); a
    /// collision costs a probe, never a wrong id.
    @inline(__always)
    private func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = key.count
        var h = seed ^ (UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15)
        guard n >= 8, let base = key.baseAddress else {
            for byte in key { h = Self.mix(h ^ UInt64(byte)) }
            return Self.mix(h)
        }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 < n {
            h = Self.mix(h ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        // The last 8 bytes (overlapping the previous chunk when n is not a multiple of 8).
        return Self.mix(h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
    }

    @inline(__always)
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = (x ^ (x >> 32)) &* 0xD6E8_FEB8_6659_FD93
        z = (z ^ (z >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return z ^ (z >> 32)
    }
}
