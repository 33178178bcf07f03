/// What every piece of text a package carries must be (titles, names, file names): one home for the rules.
///
/// Control characters (Unicode category Cc: C0 including NUL, tab and newline, DEL, C1) are refused
/// everywhere: no DDEX field or file name needs them, DSPs drop or choke on them, and in logs and reports
/// they forge lines. Text fields are capped at `maxFieldLength` characters, far above any real title or
/// name, so a hostile field cannot blow up messages, reports and logs.
public enum TextRules {
    /// Longest text field, in Unicode characters (scalars).
    public static let maxFieldLength = 500

    /// The problem with a text field's value, if any: `TEXT_CONTROL_CHARACTER` or `TEXT_TOO_LONG`, naming
    /// `field` (`tracks[2].title`) and, for length, the limit.
    public static func problem(_ value: String, field: String, at location: String) -> Problem? {
        if let control = firstControlCharacter(in: value) {
            return .error(.textControlCharacter, at: location,
                          "\(field) holds the control character \(codePoint(control)) ('\(escaped(value, limit: 40))'); text fields must not hold NUL, tabs, line breaks or other control characters")
        }
        let length = value.unicodeScalars.count
        if length > maxFieldLength {
            return .error(.textTooLong, at: location,
                          "\(field) is \(length) characters long ('\(escaped(value, limit: 40))'); the limit is \(maxFieldLength)")
        }
        return nil
    }

    /// The first control character in `text`, if any.
    public static func firstControlCharacter(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { $0.properties.generalCategory == .control }
    }

    /// `U+000A`.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// `text` safe to print in a message or location: control characters as `\u{A}`, cut to `limit` characters.
    public static func escaped(_ text: String, limit: Int = 80) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < limit else { return out + "…" }
            if scalar.properties.generalCategory == .control {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }
}
