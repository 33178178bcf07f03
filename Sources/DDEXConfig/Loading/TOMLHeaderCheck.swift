/// Finds a table header that does not begin with a key, before TOMLKit sees the text.
///
/// toml++ 3 (the C++ parser inside TOMLKit 0.6.0) asserts, and so aborts the whole process, on a header such
/// as `[#x]`, `[ !a]` or a `[` at the end of a line: it checks the first character of a header's key with
/// `TOML_ASSERT_ASSUME` instead of reporting an error (found by `scripts/fuzz config-toml`). A configuration
/// file is operator input and a reload must never take the daemon down, so such a header is refused here with
/// its line and column. The scan follows the TOML grammar far enough to tell a header from a `[` inside a
/// value: strings of the four kinds (with escapes), comments, and arrays and inline tables spanning lines.
struct TOMLHeaderCheck {
    /// A header whose key starts with a character no key can start with.
    struct Finding: Equatable, Sendable {
        var line: Int
        var column: Int
        /// The character found where the key should begin, printable (`end of line`, `end of file`, `'#'`).
        var found: String
    }

    /// The first malformed header of `text`, or nil when every header starts with a key.
    static func firstMalformedHeader(in text: String) -> Finding? {
        var scanner = Scanner(bytes: Array(text.utf8))
        return scanner.run()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var lineStart = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func run() -> Finding? {
            var depth = 0  // open arrays and inline tables of the current value
            var atStatementStart = true
            while index < bytes.count {
                if atStatementStart && depth == 0 {
                    skipHorizontalWhitespace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: "[") {
                        if let finding = checkHeader() { return finding }
                        skipToEndOfLine()
                        continue
                    }
                    atStatementStart = false
                }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\n"):
                    index += 1
                    line += 1
                    lineStart = index
                    if depth == 0 { atStatementStart = true }
                case UInt8(ascii: "#"):
                    skipToEndOfLine()
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    skipString(delimiter: byte)
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    index += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth = max(0, depth - 1)
                    index += 1
                default:
                    index += 1
                }
            }
            return nil
        }

        /// At the `[` that opens a header: the first character after `[` or `[[` and any blanks must start a
        /// key (toml++ itself reports `[]` and the end of the file after `[` as errors).
        mutating func checkHeader() -> Finding? {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "[") { index += 1 }
            skipHorizontalWhitespace()
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            // A third `[` (`[[[a]]]`) reaches toml++'s key parser too; `]` it reports itself.
            if isBareKeyByte(byte) || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "]") {
                return nil
            }
            let found: String
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): found = "end of line"
            case 0x21...0x7E: found = "'\(Character(Unicode.Scalar(byte)))'"
            default: found = "byte 0x" + String(byte, radix: 16, uppercase: true)
            }
            return Finding(line: line, column: column(of: index), found: found)
        }

        /// Column of a byte, counted in characters (UTF-8 continuation bytes do not count) from 1.
        func column(of position: Int) -> Int {
            1 + bytes[lineStart..<position].count { $0 & 0xC0 != 0x80 }
        }

        mutating func skipHorizontalWhitespace() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
                index += 1
            }
        }

        mutating func skipToEndOfLine() {
            while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
        }

        /// Skips a basic (`"`) or literal (`'`) string, single- or multi-line; a single-line string ends at the
        /// end of its line at the latest (toml++ reports the unterminated string).
        mutating func skipString(delimiter: UInt8) {
            let escapes = delimiter == UInt8(ascii: "\"")
            let multiLine = index + 2 < bytes.count && bytes[index + 1] == delimiter && bytes[index + 2] == delimiter
            index += multiLine ? 3 : 1
            while index < bytes.count {
                let byte = bytes[index]
                if escapes && byte == UInt8(ascii: "\\") {
                    index += 1
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\n") { continue }  // counted below
                    index += 1
                    continue
                }
                if byte == UInt8(ascii: "\n") {
                    if !multiLine { return }
                    index += 1
                    line += 1
                    lineStart = index
                    continue
                }
                index += 1
                if byte == delimiter {
                    if !multiLine { return }
                    if index + 1 < bytes.count, bytes[index] == delimiter, bytes[index + 1] == delimiter {
                        index += 2
                        // Up to two more quotes belong to the content (`""""` ends with one quote inside).
                        while index < bytes.count, bytes[index] == delimiter { index += 1 }
                        return
                    }
                }
            }
        }

        func isBareKeyByte(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
