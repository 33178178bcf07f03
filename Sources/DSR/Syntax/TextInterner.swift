#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Remembers the last few long values of a repetitive cell (UseType, resource references) so equal
/// cells share one `String` instead of allocating one per line. Strings of up to 15 UTF-8 bytes are
/// stored inline by Swift and need no interning.
struct TextInterner {
    static let inlineLimit = 15
    private var keys: [[UInt8]] = []
    private var values: [String] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The remembered string for bytes equal to `cell`, if any.
    func lookup(_ cell: UnsafeRawBufferPointer) -> String? {
        guard let base = cell.baseAddress else { return nil }
        for index in keys.indices where keys[index].count == cell.count {
            let equal = keys[index].withUnsafeBytes { $0.baseAddress.map { memcmp($0, base, cell.count) == 0 } ?? false }
            if equal { return values[index] }
        }
        return nil
    }

    /// Remembers `value` for `cell`, replacing the oldest entry when full.
    mutating func remember(_ cell: UnsafeRawBufferPointer, _ value: String) {
        if keys.count < capacity {
            keys.append(Array(cell))
            values.append(value)
        } else {
            keys[next] = Array(cell)
            values[next] = value
            next = (next + 1) % capacity
        }
    }
}
