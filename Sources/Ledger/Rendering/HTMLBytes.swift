import DDEXModel

/// HTML written into a byte buffer: escaping, grouped counts and amounts appended in place. The statement pages
/// of a large period hold millions of detail rows; building them by `String` concatenation cost more than the
/// statement run itself. `HTML`'s `String` helpers are this type's output, so both render alike.
struct HTMLBytes {
    private(set) var bytes: [UInt8] = []
    private var scratch: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Markup, as is.
    @inline(__always)
    mutating func raw(_ markup: StaticString) {
        markup.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Markup or text already escaped, as is.
    mutating func raw(_ markup: String) { bytes.append(contentsOf: markup.utf8) }

    /// Text for element content and quoted attribute values: `& < > " '` escaped, control characters other than
    /// tab and line breaks replaced by U+FFFD.
    mutating func escaped(_ text: String) {
        var clean = true
        for byte in text.utf8 where Self.needsEscape(byte) {
            clean = false
            break
        }
        if clean {
            bytes.append(contentsOf: text.utf8)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): raw("&amp;")
            case UInt8(ascii: "<"): raw("&lt;")
            case UInt8(ascii: ">"): raw("&gt;")
            case UInt8(ascii: "\""): raw("&quot;")
            case UInt8(ascii: "'"): raw("&#39;")
            case 0x09, 0x0A, 0x0D: bytes.append(byte)
            case ..<0x20: raw("\u{FFFD}")
            default: bytes.append(byte)
            }
        }
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    /// A count with thousands separators (`1,234`), `−` before a negative one.
    mutating func count(_ value: Int64) {
        scratch.removeAll(keepingCapacity: true)
        MicroAmount.appendDigits(value.magnitude, minimumCount: 1, to: &scratch)
        if value < 0 { raw("−") }
        appendGrouped(scratch[...])
    }

    /// An amount half-even to `decimals` with thousands separators, `−` before a negative one. Returns whether
    /// the figure shown is negative (−0.004 shows as 0.00, not negative).
    @discardableResult
    mutating func money(_ amount: MicroAmount, decimals: Int) -> Bool {
        scratch.removeAll(keepingCapacity: true)
        amount.appendFormatted(decimals: decimals, to: &scratch)
        let negative = scratch.first == UInt8(ascii: "-")
        if negative { raw("−") }
        let unsigned = scratch[(negative ? 1 : 0)...]
        let point = unsigned.firstIndex(of: UInt8(ascii: ".")) ?? unsigned.endIndex
        appendGrouped(unsigned[..<point])
        bytes.append(contentsOf: unsigned[point...])
        return negative
    }

    /// A table cell holding an amount, red when the figure shown is negative.
    mutating func amountCell(_ amount: MicroAmount, decimals: Int) {
        let start = bytes.count
        raw("<td class=\"num\">")
        if money(amount, decimals: decimals) {
            // Mark the cell: replace `">` after `num` with ` neg">`.
            bytes.insert(contentsOf: " neg".utf8, at: start + 14)
        }
        raw("</td>")
    }

    private mutating func appendGrouped(_ digits: ArraySlice<UInt8>) {
        var i = 0
        for digit in digits {
            if i > 0, (digits.count - i) % 3 == 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(digit)
            i += 1
        }
    }
}
