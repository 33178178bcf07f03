import DDEXModel

extension ProblemCode {
    // XMLSupport: reading XML safely and validating it against XML Schemas.
    public static let xmlMalformed: ProblemCode = "XML_MALFORMED"
    public static let xmlTruncated: ProblemCode = "XML_TRUNCATED"
    public static let xmlDoctypeForbidden: ProblemCode = "XML_DOCTYPE_FORBIDDEN"
    public static let xmlEntityForbidden: ProblemCode = "XML_ENTITY_FORBIDDEN"
    public static let xmlTooLarge: ProblemCode = "XML_TOO_LARGE"
    public static let xmlEncoding: ProblemCode = "XML_ENCODING"
    public static let xmlEmpty: ProblemCode = "XML_EMPTY"
    public static let xmlUnreadable: ProblemCode = "XML_UNREADABLE"
    public static let xsdInvalid: ProblemCode = "XSD_INVALID"
    public static let xsdLoadFailed: ProblemCode = "XSD_LOAD_FAILED"
}
