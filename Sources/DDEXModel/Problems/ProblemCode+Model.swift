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

    // Splits (release.json track splits, and splits.csv wherever it is read: package intake, `ddexd import splits`).
    /// The shares of a track do not sum to 10000 basis points.
    public static let splitsSumInvalid: ProblemCode = "SPLITS_SUM_INVALID"
    /// A payee listed twice for the same track.
    public static let splitPayeeDuplicate: ProblemCode = "SPLIT_PAYEE_DUPLICATE"
    /// A share that is not a whole number of basis points from 1 to 10000.
    public static let splitShareInvalid: ProblemCode = "SPLIT_SHARE_INVALID"
    /// A `splits.csv` payee that is empty or has leading or trailing white space.
    public static let splitPayeeInvalid: ProblemCode = "SPLIT_PAYEE_INVALID"
    /// `splits.csv` names an ISRC that is not a track of the release.
    public static let splitsUnknownISRC: ProblemCode = "SPLITS_UNKNOWN_ISRC"
    /// `splits.csv` is not strict RFC 4180 CSV in UTF-8, its header is not `isrc,payee,share_bp`, or a row does not
    /// have 3 cells.
    public static let splitsCSVSyntax: ProblemCode = "SPLITS_CSV_SYNTAX"
}
