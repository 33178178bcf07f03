/// Checks that a document's bytes are in the encoding its XML declaration names, before libxml2 sees them.
///
/// libxml2 picks the encoding from a byte order mark or the first bytes (XML 1.0 Appendix F) and, once it
/// has switched to UTF-16, silently ignores a declaration that says `UTF-8`. A document whose declaration
/// lies about its bytes would then be read as something other than what its author's tools show, so
/// ddexd refuses it (`XML_ENCODING`) instead. UCS-4 and EBCDIC documents are refused too: DDEX messages are
/// UTF-8, every XML processor must read UTF-16, and nothing else is worth the risk of a wrong guess.
enum XMLEncodingCheck {
    /// What the first bytes say about the encoding.
    enum Family: Equatable {
        case utf8WithBOM
        case utf16(bigEndian: Bool)
        case ucs4
        case ebcdic
        /// UTF-8 without a BOM, ASCII, or an ASCII-compatible encoding named by the declaration.
        case asciiCompatible

        var name: String {
            switch self {
            case .utf8WithBOM: "UTF-8 (with a byte order mark)"
            case .utf16(let bigEndian): bigEndian ? "UTF-16 (big-endian)" : "UTF-16 (little-endian)"
            case .ucs4: "UCS-4"
            case .ebcdic: "EBCDIC"
            case .asciiCompatible: "UTF-8 or another single-byte-based encoding"
            }
        }
    }

    /// Throws `XML_ENCODING` when the bytes cannot be in the declared encoding (or are UCS-4 or EBCDIC).
    static func check(_ data: [UInt8], name: String) throws(XMLError) {
        let family = family(of: data)
        let declared = declaredEncoding(in: data, family: family)
        func refuse(_ message: String) -> XMLError {
            XMLError(.encoding, file: name, line: 1, message: message)
        }
        switch family {
        case .ucs4, .ebcdic:
            throw refuse("the bytes are \(family.name); ddexd reads XML in UTF-8 or UTF-16 only")
        case .utf16(let bigEndian):
            guard let declared else { return }
            let normalized = declared.uppercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
            let fits = normalized == "UTF16" || normalized == (bigEndian ? "UTF16BE" : "UTF16LE")
            guard fits else {
                throw refuse("the bytes are \(family.name) but the XML declaration says encoding=\"\(declared)\"; save the file in the encoding it declares (DDEX messages are UTF-8)")
            }
        case .utf8WithBOM, .asciiCompatible:
            guard let declared else { return }
            let normalized = declared.uppercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
            if normalized.hasPrefix("UTF16") || normalized.hasPrefix("UCS") || normalized.hasPrefix("UTF32") {
                throw refuse("the XML declaration says encoding=\"\(declared)\" but the bytes are \(family.name); save the file in the encoding it declares")
            }
            if family == .utf8WithBOM, normalized != "UTF8" {
                throw refuse("the bytes start with a UTF-8 byte order mark but the XML declaration says encoding=\"\(declared)\"")
            }
        }
    }

    /// The encoding family from the first four bytes (XML 1.0 Appendix F), or from NUL bytes where
    /// ASCII-compatible text never has them.
    static func family(of data: [UInt8]) -> Family {
        let b = Array(data.prefix(4)) + Array(repeating: 0xAA, count: max(0, 4 - data.count))
        switch (b[0], b[1], b[2], b[3]) {
        case (0xEF, 0xBB, 0xBF, _): return .utf8WithBOM
        case (0x00, 0x00, 0xFE, 0xFF), (0xFF, 0xFE, 0x00, 0x00), (0x00, 0x00, 0x00, _), (_, 0x00, 0x00, 0x00): return .ucs4
        case (0xFE, 0xFF, _, _): return .utf16(bigEndian: true)
        case (0xFF, 0xFE, _, _): return .utf16(bigEndian: false)
        case (0x4C, 0x6F, 0xA7, 0x94): return .ebcdic
        case (0x00, let second, _, _) where second != 0x00: return .utf16(bigEndian: true)
        case (let first, 0x00, _, _) where first != 0x00: return .utf16(bigEndian: false)
        default: return .asciiCompatible
        }
    }

    /// The `encoding` of the XML declaration, if the document starts with one.
    static func declaredEncoding(in data: [UInt8], family: Family) -> String? {
        // The declaration is ASCII in every family ddexd reads: take one byte per character.
        var ascii: [UInt8] = []
        switch family {
        case .utf16(let bigEndian):
            let start = data.count >= 2 && (data[0] == 0xFE || data[0] == 0xFF) ? 2 : 0
            var i = start
            while i + 1 < data.count, ascii.count < 256 {
                let (high, low) = bigEndian ? (data[i], data[i + 1]) : (data[i + 1], data[i])
                guard high == 0 else { break }
                ascii.append(low)
                i += 2
            }
        case .utf8WithBOM:
            ascii = Array(data.dropFirst(3).prefix(256))
        case .asciiCompatible:
            ascii = Array(data.prefix(256))
        case .ucs4, .ebcdic:
            return nil
        }
        let text = String(decoding: ascii, as: UTF8.self)
        guard text.hasPrefix("<?xml"), let end = text.range(of: "?>") else { return nil }
        let declaration = text[..<end.lowerBound]
        guard let key = declaration.range(of: "encoding") else { return nil }
        var rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return value.isEmpty ? nil : String(value)
    }
}
