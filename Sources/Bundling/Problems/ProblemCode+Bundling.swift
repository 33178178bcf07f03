import DDEXModel

extension ProblemCode {
    // Per-DSP suitability: the release is fine, but this DSP's profile cannot take it. Other DSPs still get bundles.
    public static let dspCoverMissing: ProblemCode = "DSP_COVER_MISSING"
    public static let dspCoverTooSmall: ProblemCode = "DSP_COVER_TOO_SMALL"
    public static let dspCoverTooLarge: ProblemCode = "DSP_COVER_TOO_LARGE"
    public static let dspCoverFormatRefused: ProblemCode = "DSP_COVER_FORMAT_REFUSED"
    public static let dspCoverNotSquare: ProblemCode = "DSP_COVER_NOT_SQUARE"
    public static let dspAudioFormatRefused: ProblemCode = "DSP_AUDIO_FORMAT_REFUSED"
    public static let dspAudioBitDepthRefused: ProblemCode = "DSP_AUDIO_BIT_DEPTH_REFUSED"
    public static let dspAudioSampleRateRefused: ProblemCode = "DSP_AUDIO_SAMPLE_RATE_REFUSED"
    /// A WAV file is WAVE_FORMAT_EXTENSIBLE (0xFFFE) and the DSP takes 0x0001 only (Spotify).
    public static let dspWAVExtensibleRefused: ProblemCode = "DSP_WAV_EXTENSIBLE_REFUSED"
    /// No deal is left once cut to the DSP's territories and accepted commercial models and use types.
    public static let dspNoDealInTerritories: ProblemCode = "DSP_NO_DEAL_IN_TERRITORIES"

    // Which DSPs a release goes to (`DeliveryTargets`).
    /// A DSP name (the release's `dsps`, `--dsp`) that no profile configures.
    public static let dspUnknown: ProblemCode = "DSP_UNKNOWN"
    /// A DSP that is not a target of this release: its profile is disabled, or the account may not deliver to it.
    public static let dspNotTargeted: ProblemCode = "DSP_NOT_TARGETED"
    /// No DSP at all would receive the release (no enabled profile is a target).
    public static let dspNoTarget: ProblemCode = "DSP_NO_TARGET"

    // Building bundles on disk.
    /// Two resources would get the same file name under the profile's resource naming.
    public static let bundleResourceNameClash: ProblemCode = "BUNDLE_RESOURCE_NAME_CLASH"
    /// A resource file is missing or its size no longer matches the digest taken at intake.
    public static let bundleResourceChanged: ProblemCode = "BUNDLE_RESOURCE_CHANGED"
    /// A file operation failed while building or publishing the bundle.
    public static let bundleIOFailed: ProblemCode = "BUNDLE_IO_FAILED"
    /// The message id provider failed.
    public static let bundleMessageIdFailed: ProblemCode = "BUNDLE_MESSAGE_ID_FAILED"
}
