/// The (start, end) byte offsets of a line's cells, in one buffer the parser reuses for every line, so splitting a
/// line allocates nothing and a row passes its cells around without reference counting.
struct CellBounds {
    private(set) var storage: UnsafeMutablePointer<Int>
    private var capacity: Int
    /// Offsets written so far: two per cell.
    private(set) var offsetCount = 0

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 2)
        storage = .allocate(capacity: self.capacity)
    }

    /// Frees the buffer; the owner calls it once, from its `deinit`.
    func deallocate() { storage.deallocate() }

    var cellCount: Int { offsetCount >> 1 }

    mutating func removeAll() { offsetCount = 0 }

    @inline(__always)
    mutating func append(_ start: Int, _ end: Int) {
        if offsetCount + 2 > capacity { grow() }
        storage[offsetCount] = start
        storage[offsetCount + 1] = end
        offsetCount += 2
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 2)
        larger.update(from: storage, count: offsetCount)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }

    /// The offsets as read by a row (valid until the next `append` or `removeAll`).
    var offsets: UnsafeBufferPointer<Int> { UnsafeBufferPointer(start: storage, count: offsetCount) }
}
