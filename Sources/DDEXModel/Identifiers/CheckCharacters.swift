/// Check-character algorithms shared by the identifier types (IDENTIFIERS.md).
enum CheckCharacters {
    /// GS1 mod 10 over the digits of `body` (without the check digit).
    static func gs1CheckDigit(_ body: some Collection<UInt8>) -> UInt8 {
        var sum = 0
        for (index, digit) in body.reversed().enumerated() {
            sum += Int(digit - 0x30) * (index % 2 == 0 ? 3 : 1)
        }
        return UInt8((10 - sum % 10) % 10)
    }

    /// The value of an alphanumeric character for ISO 7064 MOD 37,36: 0-9 → 0-9, A-Z → 10-35.
    static func mod3736Value(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: Int(c - 0x30)
        case 0x41...0x5A: Int(c - 0x41) + 10
        default: nil
        }
    }

    /// ISO/IEC 7064 MOD 37,36 check character for `body` (upper-case alphanumerics).
    static func mod3736Check(_ body: some Collection<UInt8>) -> UInt8? {
        var p = 36
        for c in body {
            guard let v = mod3736Value(c) else { return nil }
            var s = (p + v) % 36
            if s == 0 { s = 36 }
            p = (2 * s) % 37
        }
        let check = (37 - p) % 36
        return check < 10 ? UInt8(0x30 + check) : UInt8(0x41 + check - 10)
    }

    /// ISO 7064 MOD 11-2 check character over 15 digits: `0`-`9` or `X`.
    static func mod112Check(_ digits: some Collection<UInt8>) -> UInt8 {
        var total = 0
        for d in digits { total = (total + Int(d - 0x30)) * 2 }
        let result = (12 - total % 11) % 11
        return result == 10 ? UInt8(ascii: "X") : UInt8(0x30 + result)
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isUpperLetter(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
    static func isUpperAlnum(_ c: UInt8) -> Bool { isDigit(c) || isUpperLetter(c) }
}
