import DDEXModel

extension ProblemCode {
    // Intake: reading a label's master ERN.
    /// The root is not an ERN 4.3 or 3.8.2 NewReleaseMessage.
    public static let masterERNUnsupported: ProblemCode = "MASTER_ERN_UNSUPPORTED"
    /// An element the reader needs is missing or empty.
    public static let masterERNMissing: ProblemCode = "MASTER_ERN_MISSING"
    /// A local reference (`P…`, `A…`, `R…`) points at nothing.
    public static let masterERNReferenceUnknown: ProblemCode = "MASTER_ERN_REFERENCE_UNKNOWN"
    /// A file path is absolute, a URL, or climbs out of the package with `..`.
    public static let masterERNPathInvalid: ProblemCode = "MASTER_ERN_PATH_INVALID"
    /// A HashSum is malformed, or uses an algorithm ddexd cannot check.
    public static let masterERNHashInvalid: ProblemCode = "MASTER_ERN_HASH_INVALID"
    /// Something the reader reads but ignores or interprets (a skipped resource, a second edition).
    public static let masterERNIgnored: ProblemCode = "MASTER_ERN_IGNORED"
}
