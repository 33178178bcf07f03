extension ProblemCode {
    // Identifiers and values (DDEXModel). One code per rule so label systems can match on them.
    public static let isrcInvalid: ProblemCode = "ISRC_INVALID"
    public static let icpnInvalid: ProblemCode = "ICPN_INVALID"
    public static let iswcInvalid: ProblemCode = "ISWC_INVALID"
    public static let gridInvalid: ProblemCode = "GRID_INVALID"
    public static let dpidInvalid: ProblemCode = "DPID_INVALID"
    public static let isniInvalid: ProblemCode = "ISNI_INVALID"
    public static let durationInvalid: ProblemCode = "DURATION_INVALID"
    public static let dateInvalid: ProblemCode = "DATE_INVALID"
    public static let territoryUnknown: ProblemCode = "TERRITORY_UNKNOWN"
    public static let languageInvalid: ProblemCode = "LANGUAGE_INVALID"
    public static let amountInvalid: ProblemCode = "AMOUNT_INVALID"
    public static let valueNotAllowed: ProblemCode = "VALUE_NOT_ALLOWED"
    /// A text field holds a control character (NUL, tab, line break, …): `TextRules`.
    public static let textControlCharacter: ProblemCode = "TEXT_CONTROL_CHARACTER"
    /// A text field is longer than `TextRules.maxFieldLength` characters.
    public static let textTooLong: ProblemCode = "TEXT_TOO_LONG"
}
