#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A map from byte strings to (value bytes, ordinal), for a block's release and resource references: looked up by
/// the bytes of a usage line's cell without making a `String`. Keys and values live in one arena that only grows
/// while entries are added (between usage lines), so values lent to a line stay put while the line is read.
///
/// Open addressing over FNV-1a hashes, rebuilt when half full; a lookup of the same key as the last one (a track's
/// lines follow each other) is one comparison.
final class ByteKeyTable {
    private struct Entry {
        var keyStart: Int
        var keyCount: Int
        var valueStart: Int
        var valueCount: Int
        var ordinal: Int
    }

    private var arena: UnsafeMutableRawPointer
    private var arenaCapacity: Int
    private var arenaUsed = 0
    private var entries: [Entry] = []
    /// Entry index + 1 per slot (0 = empty); the count is a power of two.
    private var slots: [Int32]
    private var lastHit = -1
    /// The first non-empty value inserted since `removeAll` (a block's first ICPN), whatever replaced it since.
    private var firstValue: (start: Int, count: Int)?

    init() {
        arenaCapacity = 1024
        arena = .allocate(byteCount: arenaCapacity, alignment: 8)
        slots = Array(repeating: 0, count: 16)
    }

    deinit { arena.deallocate() }

    var isEmpty: Bool { entries.isEmpty }

    func removeAll() {
        entries.removeAll(keepingCapacity: true)
        // Blocks are alike in size: keep the slots (and their size) for the next one unless this one was huge.
        if slots.count > 4096 { slots = Array(repeating: 0, count: 16) } else { slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        arenaUsed = 0
        lastHit = -1
        firstValue = nil
    }

    /// The first non-empty value inserted since `removeAll`, or empty.
    var firstNonEmptyValue: DSRCellBytes {
        guard let firstValue else { return .empty }
        return DSRCellBytes(UnsafeRawBufferPointer(start: arena + firstValue.start, count: firstValue.count))
    }

    /// Maps `key` to `value` and `ordinal`; with `replacing` false an existing key keeps its entry.
    func insert(_ key: String, value: String, ordinal: Int, replacing: Bool = true) {
        var key = key, value = value
        key.withUTF8 { keyBytes in
            value.withUTF8 { valueBytes in
                insert(UnsafeRawBufferPointer(keyBytes), value: UnsafeRawBufferPointer(valueBytes), ordinal: ordinal, replacing: replacing)
            }
        }
    }

    private func insert(_ key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, ordinal: Int, replacing: Bool) {
        if let existing = find(key) {
            guard replacing else { return }
            let valueStart = store(value)
            entries[existing].valueStart = valueStart
            entries[existing].valueCount = value.count
            entries[existing].ordinal = ordinal
            if firstValue == nil, !value.isEmpty { firstValue = (valueStart, value.count) }
            return
        }
        if (entries.count + 1) * 2 > slots.count { rehash(slots.count * 2) }
        let keyStart = store(key)
        let valueStart = store(value)
        if firstValue == nil, !value.isEmpty { firstValue = (valueStart, value.count) }
        entries.append(Entry(keyStart: keyStart, keyCount: key.count, valueStart: valueStart, valueCount: value.count,
                             ordinal: ordinal))
        place(entries.count - 1, hash: Self.hash(key))
    }

    /// The value and ordinal of `key`, if it was inserted since the last `removeAll`.
    func lookup(_ key: String) -> (value: DSRCellBytes, ordinal: Int)? {
        var key = key
        return key.withUTF8 { lookup(DSRCellBytes(UnsafeRawBufferPointer($0))) }
    }

    /// The value and ordinal of `key`, if it was inserted since the last `removeAll`.
    @inline(__always)
    func lookup(_ key: DSRCellBytes) -> (value: DSRCellBytes, ordinal: Int)? {
        guard let index = find(key.bytes) else { return nil }
        let entry = entries[index]
        return (DSRCellBytes(UnsafeRawBufferPointer(start: arena + entry.valueStart, count: entry.valueCount)), entry.ordinal)
    }

    private func find(_ key: UnsafeRawBufferPointer) -> Int? {
        if lastHit >= 0, matches(entries[lastHit], key) { return lastHit }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { return nil }
            if matches(entries[stored - 1], key) {
                lastHit = stored - 1
                return stored - 1
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private func matches(_ entry: Entry, _ key: UnsafeRawBufferPointer) -> Bool {
        guard entry.keyCount == key.count else { return false }
        guard let base = key.baseAddress else { return true }
        return memcmp(arena + entry.keyStart, base, key.count) == 0
    }

    private func store(_ bytes: UnsafeRawBufferPointer) -> Int {
        if arenaUsed + bytes.count > arenaCapacity {
            // Only while a release or resource record is added: no usage line holds a value then.
            let larger = max(arenaCapacity * 2, arenaUsed + bytes.count)
            let grown = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 8)
            grown.copyMemory(from: arena, byteCount: arenaUsed)
            arena.deallocate()
            arena = grown
            arenaCapacity = larger
        }
        let start = arenaUsed
        if let base = bytes.baseAddress { (arena + start).copyMemory(from: base, byteCount: bytes.count) }
        arenaUsed += bytes.count
        return start
    }

    private func rehash(_ count: Int) {
        slots = Array(repeating: 0, count: count)
        for index in entries.indices {
            let entry = entries[index]
            place(index, hash: Self.hash(UnsafeRawBufferPointer(start: arena + entry.keyStart, count: entry.keyCount)))
        }
    }

    private func place(_ index: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index + 1)
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash ^ (hash >> 29)
    }
}
