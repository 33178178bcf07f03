/// A validated identifier: it cannot hold a value that breaks its syntax or check character.
///
/// Values are stored in canonical form (no separators, upper case). Decoding from JSON validates too.
public protocol ValidatedIdentifier: Sendable, Hashable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The canonical form (no separators, upper case), as written in ERN and stored.
    var value: String { get }
    /// The identifier of `string` in canonical form (each type says which written forms it accepts), or
    /// `IdentifierError` with the problem code and the reason (length, characters, check character).
    init(validating string: String) throws(IdentifierError)
}

extension ValidatedIdentifier {
    public var description: String { value }

    public init?(_ description: String) {
        guard let id = try? Self(validating: description) else { return nil }
        self = id
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Self(validating: raw)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// International Standard Recording Code: `CCXXXYYNNNNN`, no check digit. Upper-cased on input.
public struct ISRC: ValidatedIdentifier {
    public let value: String
    public init(validating string: String) throws(IdentifierError) {
        let upper = string.uppercased()
        let b = Array(upper.utf8)
        guard b.count == 12 else {
            throw IdentifierError(.isrcInvalid, value: string, reason: "is not an ISRC: it has \(b.count) characters, an ISRC has 12 (no dashes)")
        }
        guard CheckCharacters.isUpperLetter(b[0]), CheckCharacters.isUpperLetter(b[1]) else {
            throw IdentifierError(.isrcInvalid, value: string, reason: "is not an ISRC: the country code (first 2 characters) must be letters")
        }
        guard b[2..<5].allSatisfy(CheckCharacters.isUpperAlnum) else {
            throw IdentifierError(.isrcInvalid, value: string, reason: "is not an ISRC: the registrant code (characters 3-5) must be letters or digits")
        }
        guard b[5..<12].allSatisfy(CheckCharacters.isDigit) else {
            throw IdentifierError(.isrcInvalid, value: string, reason: "is not an ISRC: the year and designation (characters 6-12) must be digits")
        }
        value = upper
    }
}

/// International Code for Product Number (UPC/EAN/GTIN): 8, 12, 13 or 14 digits with a GS1 check digit.
/// Leading zeros are part of the value.
public struct ICPN: ValidatedIdentifier {
    public let value: String
    public init(validating string: String) throws(IdentifierError) {
        let b = Array(string.utf8)
        guard [8, 12, 13, 14].contains(b.count), b.allSatisfy(CheckCharacters.isDigit) else {
            throw IdentifierError(.icpnInvalid, value: string, reason: "is not an ICPN: it must be 8, 12, 13 or 14 digits (leading zeros kept), it has \(b.count) characters")
        }
        let expected = CheckCharacters.gs1CheckDigit(b.dropLast())
        guard b.last! - 0x30 == expected else {
            throw IdentifierError(.icpnInvalid, value: string, reason: "has a wrong GS1 check digit: expected \(expected)")
        }
        value = string
    }
}

/// International Standard Musical Work Code: `T` + 9 digits + check digit.
public struct ISWC: ValidatedIdentifier {
    public let value: String
    public init(validating string: String) throws(IdentifierError) {
        let upper = string.uppercased()
        let b = Array(upper.utf8)
        guard b.count == 11, b[0] == UInt8(ascii: "T"), b[1...].allSatisfy(CheckCharacters.isDigit) else {
            throw IdentifierError(.iswcInvalid, value: string, reason: "is not an ISWC: it must be T followed by 10 digits, without separators")
        }
        var sum = 1
        for i in 1...9 { sum += i * Int(b[i] - 0x30) }
        let check = (10 - sum % 10) % 10
        guard Int(b[10] - 0x30) == check else {
            throw IdentifierError(.iswcInvalid, value: string, reason: "has a wrong check digit: expected \(check)")
        }
        value = upper
    }
}

/// Global Release Identifier: `A1` + 5-character issuer + 10-character number + MOD 37,36 check character.
public struct GRid: ValidatedIdentifier {
    public let value: String
    public init(validating string: String) throws(IdentifierError) {
        let upper = string.uppercased()
        let b = Array(upper.utf8)
        guard b.count == 18, b[0] == UInt8(ascii: "A"), b[1] == UInt8(ascii: "1"), b.allSatisfy(CheckCharacters.isUpperAlnum) else {
            throw IdentifierError(.gridInvalid, value: string, reason: "is not a GRid: it must be A1 followed by 16 letters or digits, without separators")
        }
        let check = CheckCharacters.mod3736Check(b.dropLast())!
        guard b[17] == check else {
            throw IdentifierError(.gridInvalid, value: string, reason: "has a wrong check character: expected \(Character(Unicode.Scalar(check)))")
        }
        value = upper
    }
}

/// DDEX Party Identifier: `PADPIDA` + 10 characters + MOD 37,36 check character.
public struct DPID: ValidatedIdentifier {
    public let value: String
    public init(validating string: String) throws(IdentifierError) {
        let upper = string.uppercased()
        let b = Array(upper.utf8)
        guard b.count == 18, upper.hasPrefix("PADPIDA"), b.allSatisfy(CheckCharacters.isUpperAlnum) else {
            throw IdentifierError(.dpidInvalid, value: string, reason: "is not a DPID: it must be PADPIDA followed by 11 letters or digits, without separators")
        }
        let check = CheckCharacters.mod3736Check(b.dropLast())!
        guard b[17] == check else {
            throw IdentifierError(.dpidInvalid, value: string, reason: "has a wrong check character: expected \(Character(Unicode.Scalar(check)))")
        }
        value = upper
    }
}

/// International Standard Name Identifier: 15 digits + MOD 11-2 check character (`0`-`9` or `X`).
public struct ISNI: ValidatedIdentifier {
    public let value: String
    public init(validating string: String) throws(IdentifierError) {
        let upper = string.uppercased()
        let b = Array(upper.utf8)
        guard b.count == 16, b[0..<15].allSatisfy(CheckCharacters.isDigit),
              CheckCharacters.isDigit(b[15]) || b[15] == UInt8(ascii: "X")
        else {
            throw IdentifierError(.isniInvalid, value: string, reason: "is not an ISNI: it must be 15 digits and a check character (digit or X), without spaces")
        }
        let check = CheckCharacters.mod112Check(b[0..<15])
        guard b[15] == check else {
            throw IdentifierError(.isniInvalid, value: string, reason: "has a wrong check character: expected \(Character(Unicode.Scalar(check)))")
        }
        value = upper
    }
}
