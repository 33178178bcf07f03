import DDEXModel

extension ProblemCode {
    // Semantic rules the ERN XSDs cannot check (ERN.md §2.2, §6, §8).
    /// A P/A/R/T reference points at nothing in the message.
    public static let ernReferenceUnresolved: ProblemCode = "ERN_REFERENCE_UNRESOLVED"
    /// The same local reference is declared twice.
    public static let ernReferenceDuplicate: ProblemCode = "ERN_REFERENCE_DUPLICATE"
    /// A local reference does not match its XSD pattern (`A…`, `P…`, `R…`, `T…`).
    public static let ernReferenceMalformed: ProblemCode = "ERN_REFERENCE_MALFORMED"
    /// Two SoundRecordings carry the same ISRC.
    public static let ernISRCDuplicate: ProblemCode = "ERN_ISRC_DUPLICATE"
    /// The Audio profile needs exactly one FrontCoverImage.
    public static let ernFrontCoverCount: ProblemCode = "ERN_FRONT_COVER_COUNT"
    /// A TrackRelease does not point at a SoundRecording, or a SoundRecording has no TrackRelease.
    public static let ernTrackReleaseResource: ProblemCode = "ERN_TRACK_RELEASE_RESOURCE"
    /// A deal has no start date, or ends before it starts.
    public static let ernDealPeriod: ProblemCode = "ERN_DEAL_PERIOD"
    /// A deal has no territory, commercial model or use type.
    public static let ernDealIncomplete: ProblemCode = "ERN_DEAL_INCOMPLETE"
    /// The main release has no GRid, ICPN, catalogue number or proprietary id.
    public static let ernReleaseIdMissing: ProblemCode = "ERN_RELEASE_ID_MISSING"
    /// Display artists are missing or not sequenced 1…n.
    public static let ernDisplayArtistSequence: ProblemCode = "ERN_DISPLAY_ARTIST_SEQUENCE"
    /// A resource the release names was not measured, so its file details cannot be written.
    public static let ernResourceUnmeasured: ProblemCode = "ERN_RESOURCE_UNMEASURED"
    /// The profile's hash algorithms are not available in its ERN version; another one is written.
    public static let ernHashAlgorithmSubstituted: ProblemCode = "ERN_HASH_ALGORITHM_SUBSTITUTED"
    /// The XML could not be written (a character XML 1.0 forbids, an I/O error).
    public static let ernWriteFailed: ProblemCode = "ERN_WRITE_FAILED"
    /// A written message does not validate against the official XSD.
    public static let ernXSDInvalid: ProblemCode = "ERN_XSD_INVALID"
}
