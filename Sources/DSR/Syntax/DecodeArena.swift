/// Room for the decoded copies of one line's escaped cells (`\|`, `\<TAB>`, `\\\`), so a row can lend decoded
/// cells as bytes. Reset for each line with at least the line's size: decoding never lengthens a cell, so the
/// copies of one line always fit and earlier ones never move.
struct DecodeArena {
    private var storage: UnsafeMutableRawBufferPointer
    private var used = 0

    init(capacity: Int = 4096) {
        storage = .allocate(byteCount: max(capacity, 64), alignment: 8)
    }

    /// Frees the buffer; the owner calls it once, from its `deinit`.
    func deallocate() { storage.deallocate() }

    /// Forgets the previous line's cells and makes room for a line of `lineLength` bytes.
    mutating func reset(forLineOf lineLength: Int) {
        used = 0
        if storage.count < lineLength {
            storage.deallocate()
            storage = .allocate(byteCount: lineLength, alignment: 8)
        }
    }

    /// Copies `bytes` in and returns where they are now.
    mutating func keep(_ bytes: [UInt8]) -> UnsafeRawBufferPointer {
        precondition(used + bytes.count <= storage.count, "a decoded cell is longer than its line")
        let start = used
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawBufferPointer(rebasing: storage[start..<(start + source.count)]).copyMemory(from: source)
        }
        used += bytes.count
        return UnsafeRawBufferPointer(rebasing: storage[start..<used])
    }
}
