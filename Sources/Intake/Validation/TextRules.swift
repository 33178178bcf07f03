/// What every piece of text a package carries must be (titles, names, file names): one home for the rules.
///
/// Control characters (Unicode category Cc: C0 including NUL, tab and newline, DEL, C1) are refused
/// everywhere: no DDEX field or file name needs them, DSPs drop or choke on them, and in logs and reports
/// they forge lines. Text fields are capped at `maxFieldLength` characters, far above any real title or
/// name, so a hostile field cannot blow up messages, reports and logs.
public enum TextRules {
    /// Longest text field, in Unicode characters (scalars).
    public static let maxFieldLength = 500

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
