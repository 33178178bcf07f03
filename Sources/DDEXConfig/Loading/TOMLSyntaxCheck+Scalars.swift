/// The byte-level rules of TOML's scalars, used by `TOMLSyntaxCheck`'s grammar: numbers, dates and times taken
/// as whole tokens, and the characters keys and digits are made of.
extension TOMLSyntaxCheck {
    static func isTokenByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    static func isNumber(_ token: ArraySlice<UInt8>) -> Bool {
        var rest = token
        let signed = rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-")
        if signed { rest = rest.dropFirst() }
        if rest.elementsEqual("inf".utf8) || rest.elementsEqual("nan".utf8) { return true }
        if !signed, rest.count > 2, rest.first == UInt8(ascii: "0") {
            let body = rest.dropFirst(2)
            switch rest[rest.startIndex + 1] {
            case UInt8(ascii: "x"): return isDigitRun(body, hexValue)
            case UInt8(ascii: "o"): return isDigitRun(body) { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") ? 0 : nil }
            case UInt8(ascii: "b"): return isDigitRun(body) { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") ? 0 : nil }
            default: break
            }
        }
        // Decimal: an integer part without leading zeros, then an optional fraction and exponent.
        let integerEnd = rest.firstIndex { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? rest.endIndex
        let integerPart = rest[..<integerEnd]
        guard isDigitRun(integerPart, decimalValue), integerPart.count == 1 || integerPart.first != UInt8(ascii: "0") else { return false }
        var tail = rest[integerEnd...]
        if tail.first == UInt8(ascii: ".") {
            tail = tail.dropFirst()
            let fractionEnd = tail.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? tail.endIndex
            guard isDigitRun(tail[..<fractionEnd], decimalValue) else { return false }
            tail = tail[fractionEnd...]
        }
        if let e = tail.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            tail = tail.dropFirst()
            if tail.first == UInt8(ascii: "+") || tail.first == UInt8(ascii: "-") { tail = tail.dropFirst() }
            return isDigitRun(tail, decimalValue)
        }
        return tail.isEmpty
    }

    /// Digits with single underscores between them: `1_000`, never `_1`, `1_` or `1__0`.
    static func isDigitRun(_ run: ArraySlice<UInt8>, _ digit: (UInt8) -> UInt8?) -> Bool {
        guard let first = run.first, let last = run.last, digit(first) != nil, digit(last) != nil else { return false }
        var previousUnderscore = false
        for byte in run {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if digit(byte) != nil {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    /// `1979-05-27`, `07:32:00`, `07:32:00.999`, `1979-05-27T07:32:00`, with `Z` or `+01:00` after a date-time.
    static func isDateTime(_ token: ArraySlice<UInt8>) -> Bool {
        if isTime(token) { return true }
        guard token.count >= 10, isDate(token.prefix(10)) else { return false }
        var rest = token.dropFirst(10)
        if rest.isEmpty { return true }
        guard let separator = rest.first, separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else {
            return false
        }
        rest = rest.dropFirst()
        if let last = rest.last, last == UInt8(ascii: "Z") || last == UInt8(ascii: "z") { return isTime(rest.dropLast()) }
        if rest.count > 6 {
            let offset = rest.suffix(6)
            let sign = offset[offset.startIndex]
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                return isTime(rest.dropLast(6)) && matches(offset.dropFirst(), "dd:dd")
            }
        }
        return isTime(rest)
    }

    static func isDate(_ token: ArraySlice<UInt8>) -> Bool { matches(token, "dddd-dd-dd") }

    static func isTime(_ token: ArraySlice<UInt8>) -> Bool {
        guard token.count >= 8, matches(token.prefix(8), "dd:dd:dd") else { return false }
        let fraction = token.dropFirst(8)
        if fraction.isEmpty { return true }
        return fraction.first == UInt8(ascii: ".") && fraction.count > 1 && fraction.dropFirst().allSatisfy(isDigit)
    }

    /// `pattern`: `d` is a digit, any other character itself.
    static func matches(_ token: ArraySlice<UInt8>, _ pattern: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: pattern.utf8Start, count: pattern.utf8CodeUnitCount)
        guard token.count == pattern.count else { return false }
        return zip(token, pattern).allSatisfy { byte, expected in
            expected == UInt8(ascii: "d") ? isDigit(byte) : byte == expected
        }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func decimalValue(_ byte: UInt8) -> UInt8? { isDigit(byte) ? byte - UInt8(ascii: "0") : nil }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
