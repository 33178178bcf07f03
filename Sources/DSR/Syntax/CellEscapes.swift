/// The DSR escape rules (DSR Part 1 §6.6.4, and the reference parser's variant).
///
/// A run of backslashes is read greedily: each `\\\` is one backslash (the standard's form). What is
/// left of the run then decides: `\\|` is a pipe (standard); `\\` before anything else is a backslash
/// (the reference parser's form); `\|` is a pipe and `\<TAB>` a tab (both forms); a lone `\` before any
/// other character stays a backslash. A pipe left unescaped separates the values of a multi-value cell.
/// So a tab is data exactly when the run before it has 3k+1 backslashes.
enum CellEscapes {
    static let tab: UInt8 = 0x09
    static let pipe: UInt8 = 0x7C
    static let backslash: UInt8 = 0x5C

    /// Appends the cell bounds of `line` to `bounds` as (start, end) pairs, honouring escaped tabs when
    /// `escaped` is true.
    static func split(_ line: UnsafeRawBufferPointer, escaped: Bool, into bounds: inout CellBounds) {
        let count = line.count
        guard let base = line.baseAddress, count > 0 else {
            bounds.append(0, 0)
            return
        }
        if !escaped {
            var position = 0
            while position < count, let hit = memchrTab(base + position, count - position) {
                let index = base.distance(to: hit)
                bounds.append(position, index)
                position = index + 1
            }
            bounds.append(position, count)
            return
        }
        var cellStart = 0
        var i = 0
        while i < count {
            let byte = line[i]
            if byte == backslash {
                var run = 0
                while i < count, line[i] == backslash { run += 1; i += 1 }
                if i < count, line[i] == tab, run % 3 == 1 { i += 1 }
                continue
            }
            if byte == tab {
                bounds.append(cellStart, i)
                cellStart = i + 1
            }
            i += 1
        }
        bounds.append(cellStart, count)
    }

    /// Decodes one cell's bytes. With `splitValues`, returns one entry per `|`-separated value.
    static func decode(_ cell: UnsafeRawBufferPointer, splitValues: Bool) -> [[UInt8]] {
        var values: [[UInt8]] = []
        var current: [UInt8] = []
        current.reserveCapacity(cell.count)
        let count = cell.count
        var i = 0
        while i < count {
            let byte = cell[i]
            if byte == backslash {
                var run = 0
                while i < count, cell[i] == backslash { run += 1; i += 1 }
                for _ in 0..<(run / 3) { current.append(backslash) }
                let next: UInt8? = i < count ? cell[i] : nil
                switch run % 3 {
                case 2:
                    if next == pipe { current.append(pipe); i += 1 } else { current.append(backslash) }
                case 1:
                    if next == pipe || next == tab, let next { current.append(next); i += 1 } else { current.append(backslash) }
                default:
                    break
                }
                continue
            }
            if splitValues, byte == pipe {
                values.append(current)
                current = []
                i += 1
                continue
            }
            current.append(byte)
            i += 1
        }
        values.append(current)
        return values
    }

    private static func memchrTab(_ pointer: UnsafeRawPointer, _ count: Int) -> UnsafeRawPointer? {
        guard let hit = memchr(pointer, Int32(tab), count) else { return nil }
        return UnsafeRawPointer(hit)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
