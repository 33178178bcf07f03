import DDEXModel

/// The outcome of validating one package: whether it can be delivered, what it is, and every problem found.
public struct ValidationReport: Sendable, Codable {
    /// True when no problem is an error and the release was read: the package can be delivered.
    public var valid: Bool
    /// The package path as given.
    public var package: String
    /// The metadata file read, relative to the package root.
    public var metadataFile: String?
    public var release: ReleaseSummary?
    /// Errors and warnings, in the order found (metadata, splits, files).
    public var problems: [Problem]
    /// The release with every resource measured; present only when `valid`.
    public var validated: ValidatedRelease?

    public init(valid: Bool, package: String, metadataFile: String? = nil, release: ReleaseSummary? = nil,
                problems: [Problem], validated: ValidatedRelease? = nil)
    {
        self.valid = valid
        self.package = package
        self.metadataFile = metadataFile
        self.release = release
        self.problems = problems
        self.validated = validated
    }
}

/// A short description of the release for reports and status files.
public struct ReleaseSummary: Sendable, Codable, Hashable {
    public var icpn: String?
    public var grid: String?
    public var catalogNumber: String?
    public var title: String
    public var displayArtist: String
    public var label: String
    public var releaseType: String
    public var releaseDate: String?
    public var tracks: Int
    public var discs: Int
    /// Sum of the measured track durations (ISO 8601), when every track was measured.
    public var duration: String?
    /// The cover as measured, e.g. `3000x3000 JPEG`.
    public var cover: String?
    /// DSP profiles the label targets; nil means every enabled profile.
    public var dsps: [String]?
    public var takedown: Bool

    /// The summary of a release: its identifiers and headline fields, its track and disc counts, and the total
    /// duration and cover size as measured (by package path in `measured`).
    public init(release: Release, measured: [String: MeasuredResource]) {
        icpn = release.icpn?.value
        grid = release.grid?.value
        catalogNumber = release.catalogNumber
        title = release.title
        displayArtist = release.displayArtist
        label = release.label
        releaseType = release.releaseType
        releaseDate = release.releaseDate?.description
        tracks = release.tracks.count
        discs = Set(release.tracks.map(\.disc)).count
        let durations = release.tracks.compactMap { measured[$0.file.path]?.audio?.duration.milliseconds }
        duration = durations.count == release.tracks.count && !durations.isEmpty
            ? ISODuration(milliseconds: durations.reduce(0, +)).iso8601 : nil
        cover = release.cover.flatMap { measured[$0.file.path]?.image }.map { "\($0.width)x\($0.height) \($0.codec.rawValue)" }
        dsps = release.dsps
        takedown = release.takedown
    }
}
