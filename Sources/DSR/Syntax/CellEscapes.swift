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

    /// Replaces `bounds` with the cells of `line`, and tells whether the line has a backslash (then escaped tabs are
    /// honoured) and whether it is all ASCII. One pass, eight bytes at a time: most lines have neither, and their
    /// tabs, backslashes and high bits are found in the same words.
    static func split(_ line: UnsafeRawBufferPointer, into bounds: inout CellBounds) -> (escaped: Bool, ascii: Bool) {
        bounds.removeAll()
        let count = line.count
        guard let base = line.baseAddress, count > 0 else {
            bounds.append(0, 0)
            return (false, true)
        }
        var cellStart = 0
        var high: UInt64 = 0
        var offset = 0
        while offset + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            high |= word
            if zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C) != 0 { return splitEscaped(line, into: &bounds) }
            var tabs = zeroBytes(word ^ 0x0909_0909_0909_0909)
            while tabs != 0 {
                let index = offset + tabs.trailingZeroBitCount >> 3
                bounds.append(cellStart, index)
                cellStart = index + 1
                tabs &= tabs &- 1
            }
            offset += 8
        }
        while offset < count {
            let byte = base.load(fromByteOffset: offset, as: UInt8.self)
            high |= UInt64(byte)
            if byte == backslash { return splitEscaped(line, into: &bounds) }
            if byte == tab {
                bounds.append(cellStart, offset)
                cellStart = offset + 1
            }
            offset += 1
        }
        bounds.append(cellStart, count)
        return (false, high & 0x8080_8080_8080_8080 == 0)
    }

    /// The high bit of every byte of `word` that is zero, and no other bit (no carry crosses bytes: each byte's low
    /// seven bits plus 0x7F stay below 0x100).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((word & low) &+ low) | word | low)
    }

    /// The cells of a line with a backslash: a tab is data when the run of backslashes before it has 3k+1 of them.
    private static func splitEscaped(_ line: UnsafeRawBufferPointer, into bounds: inout CellBounds) -> (escaped: Bool, ascii: Bool) {
        bounds.removeAll()
        let count = line.count
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
        return (true, UTF8Validation.isASCII(line))
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

}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
