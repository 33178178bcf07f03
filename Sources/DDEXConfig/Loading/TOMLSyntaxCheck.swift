/// Checks that a text is syntactically TOML 1.0 before TOMLKit parses it.
///
/// toml++ 3 (the C++ parser inside TOMLKit 0.6.0) guards its own dispatch with `TOML_ASSERT_ASSUME`: on some
/// malformed inputs it asserts, and so aborts the whole process, instead of reporting an error (a header such as
/// `[#x]`, or `[[[a]]]`; an array such as `a = [1,,]`; found by `scripts/fuzz config-toml`). A configuration file
/// is operator input and a reload must never take the daemon down, so the grammar is checked here first and
/// toml++ only ever sees syntactically valid TOML; what remains its job are the rules across lines (a key or
/// table defined twice) and value ranges, which it reports as errors. The first syntax error is named with its
/// line and column, as TOMLKit's errors are.
struct TOMLSyntaxCheck {
    /// The first syntax error: where it is and what was expected.
    struct Finding: Error, Equatable, Sendable {
        var line: Int
        var column: Int
        var message: String
    }

    /// Deeper nesting of arrays and inline tables than any configuration needs is refused, so the check itself
    /// cannot exhaust the stack (toml++ stops at 256).
    static let maximumNesting = 100

    /// The first syntax error of `text`, or nil when it is TOML 1.0 as far as the grammar goes.
    static func firstError(in text: String) -> Finding? {
        var checker = Checker(bytes: Array(text.utf8))
        do {
            try checker.document()
            return nil
        } catch {
            return error
        }
    }

    // MARK: - The grammar, one function per production of toml.abnf

    private struct Checker {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var lineStart = 0
        var nesting = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }
        var current: UInt8? { index < bytes.count ? bytes[index] : nil }
        func byte(at offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

        mutating func document() throws(Finding) {
            while !atEnd {
                skipBlanks()
                guard let byte = current else { return }
                switch byte {
                case UInt8(ascii: "#"):
                    try comment()
                case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    try newline()
                case UInt8(ascii: "["):
                    try tableHeader()
                    try endOfStatement()
                default:
                    try keyValue()
                    try endOfStatement()
                }
            }
        }

        /// After a header or a key/value pair: blanks, an optional comment, then a newline or the end.
        mutating func endOfStatement() throws(Finding) {
            skipBlanks()
            if current == UInt8(ascii: "#") { try comment() }
            guard let byte = current else { return }
            guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
                throw failure("expected the end of the line, saw \(describeCurrent())")
            }
            try newline()
        }

        mutating func tableHeader() throws(Finding) {
            index += 1
            let isArray = current == UInt8(ascii: "[")
            if isArray { index += 1 }
            skipBlanks()
            try key()
            skipBlanks()
            try expect("]", "to close the table header")
            if isArray { try expect("]", "to close the array-of-tables header (`]]`, no blank between)") }
        }

        mutating func keyValue() throws(Finding) {
            try key()
            skipBlanks()
            try expect("=", "after the key")
            skipBlanks()
            try value()
        }

        /// A bare, quoted or dotted key.
        mutating func key() throws(Finding) {
            try simpleKey()
            while true {
                let save = (index, line, lineStart)
                skipBlanks()
                guard current == UInt8(ascii: ".") else {
                    (index, line, lineStart) = save
                    return
                }
                index += 1
                skipBlanks()
                try simpleKey()
            }
        }

        mutating func simpleKey() throws(Finding) {
            guard let byte = current else { throw failure("expected a key (bare or quoted), saw the end of the file") }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                if self.byte(at: 1) == byte && self.byte(at: 2) == byte {
                    throw failure("a key cannot be a multi-line string")
                }
                try string()
                return
            }
            guard TOMLSyntaxCheck.isBareKeyByte(byte) else { throw failure("expected a key (bare or quoted), saw \(describeCurrent())") }
            while let next = current, TOMLSyntaxCheck.isBareKeyByte(next) { index += 1 }
        }

        mutating func value() throws(Finding) {
            guard let byte = current else { throw failure("expected a value, saw the end of the file") }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                try string()
            case UInt8(ascii: "["):
                try array()
            case UInt8(ascii: "{"):
                try inlineTable()
            case UInt8(ascii: "t"):
                try word("true")
            case UInt8(ascii: "f"):
                try word("false")
            case UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try numberOrDate()
            default:
                throw failure("expected a value, saw \(describeCurrent())")
            }
        }

        mutating func word(_ text: StaticString) throws(Finding) {
            let expected = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
            for (offset, byte) in expected.enumerated() where self.byte(at: offset) != byte {
                throw failure("expected a value, saw \(describeCurrent())")
            }
            index += expected.count
            if let next = current, TOMLSyntaxCheck.isBareKeyByte(next) { throw failure("expected a value, saw \(describeCurrent())") }
        }

        mutating func array() throws(Finding) {
            try enterNesting()
            index += 1
            while true {
                try skipBlanksCommentsAndNewlines()
                if current == UInt8(ascii: "]") { break }
                try value()
                try skipBlanksCommentsAndNewlines()
                if current == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard current == UInt8(ascii: "]") else { throw failure("expected ',' or ']' in the array, saw \(describeCurrent())") }
                break
            }
            index += 1
            nesting -= 1
        }

        /// `{ a = 1, b.c = "x" }`: on one line, no trailing comma (TOML 1.0).
        mutating func inlineTable() throws(Finding) {
            try enterNesting()
            index += 1
            skipBlanks()
            if current == UInt8(ascii: "}") {
                index += 1
                nesting -= 1
                return
            }
            while true {
                skipBlanks()
                try keyValue()
                skipBlanks()
                if current == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard current == UInt8(ascii: "}") else { throw failure("expected ',' or '}' in the inline table, saw \(describeCurrent())") }
                break
            }
            index += 1
            nesting -= 1
        }

        mutating func enterNesting() throws(Finding) {
            nesting += 1
            if nesting > TOMLSyntaxCheck.maximumNesting {
                throw failure("arrays and inline tables nested deeper than \(TOMLSyntaxCheck.maximumNesting)")
            }
        }

        // MARK: Strings

        mutating func string() throws(Finding) {
            let quote = bytes[index]
            let isMultiLine = byte(at: 1) == quote && byte(at: 2) == quote
            let escapes = quote == UInt8(ascii: "\"")
            let start = (line, column)
            index += isMultiLine ? 3 : 1
            if isMultiLine {
                // A newline right after the opening quotes is not part of the string.
                if current == UInt8(ascii: "\r") && byte(at: 1) == UInt8(ascii: "\n") { index += 1 }
                if current == UInt8(ascii: "\n") { index += 1; line += 1; lineStart = index }
            }
            while let byte = current {
                if byte == quote {
                    if !isMultiLine {
                        index += 1
                        return
                    }
                    if self.byte(at: 1) == quote && self.byte(at: 2) == quote {
                        index += 3
                        // Up to two more quotes are content (`""""` is a quote followed by the closing three).
                        var extra = 0
                        while current == quote && extra < 2 { index += 1; extra += 1 }
                        return
                    }
                    index += 1
                    continue
                }
                if escapes && byte == UInt8(ascii: "\\") {
                    try escape(inMultiLine: isMultiLine)
                    continue
                }
                if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && self.byte(at: 1) == UInt8(ascii: "\n")) {
                    guard isMultiLine else { throw failure("the string opened at line \(start.0), column \(start.1) is not closed on its line") }
                    try newline()
                    continue
                }
                if byte == UInt8(ascii: "\t") || byte >= 0x20 && byte != 0x7F {
                    index += 1
                    continue
                }
                throw failure("a control character (\(describeCurrent())) inside a string must be escaped")
            }
            throw Finding(line: start.0, column: start.1, message: "the string is not closed before the end of the file")
        }

        mutating func escape(inMultiLine: Bool) throws(Finding) {
            index += 1
            guard let byte = current else { throw failure("an escape sequence ends the file") }
            switch byte {
            case UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "n"), UInt8(ascii: "f"), UInt8(ascii: "r"),
                 UInt8(ascii: "\""), UInt8(ascii: "\\"):
                index += 1
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let digits = byte == UInt8(ascii: "u") ? 4 : 8
                var scalar: UInt32 = 0
                for offset in 1...digits {
                    guard let digit = self.byte(at: offset).flatMap(TOMLSyntaxCheck.hexValue) else {
                        throw failure("\\\(Character(Unicode.Scalar(byte))) needs \(digits) hexadecimal digits")
                    }
                    scalar = scalar &* 16 &+ UInt32(digit)
                }
                guard Unicode.Scalar(scalar) != nil else {
                    throw failure("\\\(Character(Unicode.Scalar(byte))) escape names no Unicode scalar value")
                }
                index += digits + 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                // A line-ending backslash: blanks, then at least one newline, then any whitespace are trimmed.
                guard inMultiLine else { throw failure("a backslash followed by \(describeCurrent()) is not an escape sequence") }
                let save = (index, line, lineStart)
                skipBlanks()
                guard current == UInt8(ascii: "\n") || current == UInt8(ascii: "\r") else {
                    (index, line, lineStart) = save
                    throw failure("a backslash followed by blanks must end the line")
                }
                while let next = current {
                    if next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") {
                        index += 1
                    } else if next == UInt8(ascii: "\n") || next == UInt8(ascii: "\r") {
                        try newline()
                    } else {
                        break
                    }
                }
            default:
                throw failure("\\\(describeCurrent()) is not an escape sequence")
            }
        }

        // MARK: Numbers, dates and times

        /// An integer, float, `inf`/`nan`, or a date, time or date-time: the token is taken whole and matched.
        mutating func numberOrDate() throws(Finding) {
            let start = index
            while let byte = current, TOMLSyntaxCheck.isTokenByte(byte) { index += 1 }
            // `1979-05-27 07:32:00`: a date, one space, then a time.
            if index - start == 10, TOMLSyntaxCheck.isDate(bytes[start..<index]), current == UInt8(ascii: " "),
               let a = byte(at: 1), let b = byte(at: 2), TOMLSyntaxCheck.isDigit(a), TOMLSyntaxCheck.isDigit(b), byte(at: 3) == UInt8(ascii: ":") {
                index += 1
                while let byte = current, TOMLSyntaxCheck.isTokenByte(byte) { index += 1 }
            }
            let token = bytes[start..<index]
            guard TOMLSyntaxCheck.isNumber(token) || TOMLSyntaxCheck.isDateTime(token) else {
                let text = String(decoding: token.prefix(40), as: UTF8.self)
                index = start
                throw failure("'\(text)' is not a TOML number, date or time")
            }
        }

        // MARK: Blanks, comments and newlines

        mutating func skipBlanks() {
            while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
        }

        mutating func skipBlanksCommentsAndNewlines() throws(Finding) {
            while let byte = current {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"): index += 1
                case UInt8(ascii: "\n"), UInt8(ascii: "\r"): try newline()
                case UInt8(ascii: "#"): try comment()
                default: return
                }
            }
        }

        /// `#` to the end of the line; control characters other than tab are not allowed in it.
        mutating func comment() throws(Finding) {
            index += 1
            while let byte = current, byte != UInt8(ascii: "\n") {
                if byte == UInt8(ascii: "\r") && self.byte(at: 1) == UInt8(ascii: "\n") { return }
                guard byte == UInt8(ascii: "\t") || byte >= 0x20 && byte != 0x7F else {
                    throw failure("a control character (\(describeCurrent())) in a comment")
                }
                index += 1
            }
        }

        /// `\n` or `\r\n`; a lone `\r` is an error.
        mutating func newline() throws(Finding) {
            if current == UInt8(ascii: "\r") {
                guard byte(at: 1) == UInt8(ascii: "\n") else { throw failure("a carriage return not followed by a line feed") }
                index += 1
            }
            index += 1
            line += 1
            lineStart = index
        }

        mutating func expect(_ character: Unicode.Scalar, _ purpose: String) throws(Finding) {
            guard current == UInt8(ascii: character) else {
                throw failure("expected '\(character)' \(purpose), saw \(describeCurrent())")
            }
            index += 1
        }

        // MARK: Places and descriptions

        /// Column of the current byte in characters (UTF-8 continuation bytes do not count), from 1.
        var column: Int { 1 + bytes[lineStart..<min(index, bytes.count)].count { $0 & 0xC0 != 0x80 } }

        func failure(_ message: String) -> Finding { Finding(line: line, column: column, message: message) }

        /// The character at the current place as an operator would want it named.
        func describeCurrent() -> String {
            guard let byte = current else { return "the end of the file" }
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "the end of the line"
            case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
            case 0x20: return "a space"
            case 0x09: return "a tab"
            case ..<0x80: return "U+" + hex(UInt32(byte))
            default:
                let scalarBytes = bytes[index...].prefix(4)
                let scalar = String(decoding: scalarBytes, as: UTF8.self).unicodeScalars.first
                return "U+" + hex(scalar?.value ?? UInt32(byte))
            }
        }

        func hex(_ value: UInt32) -> String {
            let digits = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }
}
