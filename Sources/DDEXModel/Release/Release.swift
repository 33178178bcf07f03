/// A release as ddexd understands it, whatever the label sent (`release.json` or a master ERN).
///
/// Every identifier and code in it has been validated. Technical facts about files (duration, codec,
/// size, checksums) are not here: they come from the files themselves, in `MeasuredResource`.
public struct Release: Sendable, Hashable, Codable {
    public var icpn: ICPN?
    public var grid: GRid?
    public var catalogNumber: String?
    /// Proprietary release ids from a master ERN, kept for round trips.
    public var proprietaryIds: [ProprietaryId]
    public var title: String
    /// The version or subtitle (`Remastered`, `Live`), if any.
    public var subtitle: String?
    public var displayArtist: String
    public var artists: [Artist]
    public var label: String
    public var pLine: RightsLine?
    public var cLine: RightsLine?
    public var genre: String
    public var subGenre: String?
    /// A DDEX ReleaseType such as `Album`, `Single`, `EP`.
    public var releaseType: String
    public var releaseDate: PartialDate?
    public var originalReleaseDate: PartialDate?
    public var parentalWarning: String
    public var language: LanguageTag?
    public var cover: ImageResource?
    public var tracks: [Track]
    public var deals: [Deal]
    /// DSP profile names the label targets; `nil` means every enabled profile.
    public var dsps: [String]?
    /// The label asks to take the release down at the DSPs.
    public var takedown: Bool

    public init(
        icpn: ICPN? = nil, grid: GRid? = nil, catalogNumber: String? = nil, proprietaryIds: [ProprietaryId] = [],
        title: String, subtitle: String? = nil, displayArtist: String, artists: [Artist], label: String,
        pLine: RightsLine? = nil, cLine: RightsLine? = nil, genre: String, subGenre: String? = nil,
        releaseType: String, releaseDate: PartialDate? = nil, originalReleaseDate: PartialDate? = nil,
        parentalWarning: String = "NotExplicit", language: LanguageTag? = nil, cover: ImageResource? = nil,
        tracks: [Track], deals: [Deal], dsps: [String]? = nil, takedown: Bool = false
    ) {
        self.icpn = icpn
        self.grid = grid
        self.catalogNumber = catalogNumber
        self.proprietaryIds = proprietaryIds
        self.title = title
        self.subtitle = subtitle
        self.displayArtist = displayArtist
        self.artists = artists
        self.label = label
        self.pLine = pLine
        self.cLine = cLine
        self.genre = genre
        self.subGenre = subGenre
        self.releaseType = releaseType
        self.releaseDate = releaseDate
        self.originalReleaseDate = originalReleaseDate
        self.parentalWarning = parentalWarning
        self.language = language
        self.cover = cover
        self.tracks = tracks
        self.deals = deals
        self.dsps = dsps
        self.takedown = takedown
    }

    /// The identifier ddexd uses for folders and DDEX release ids: the ICPN, else the GRid, else the catalogue number.
    public var primaryId: String {
        icpn?.value ?? grid?.value ?? catalogNumber ?? proprietaryIds.first?.value ?? "unidentified"
    }

    /// Every resource file the release names, cover first, then tracks in order.
    public var resourceFiles: [ResourceFile] {
        (cover.map { [$0.file] } ?? []) + tracks.map(\.file)
    }
}

/// A track: one sound recording on the release, with its place (disc, number) and its splits.
public struct Track: Sendable, Hashable, Codable {
    public var isrc: ISRC
    public var title: String
    public var subtitle: String?
    public var displayArtist: String
    public var artists: [Artist]
    public var contributors: [Contributor]
    public var iswc: ISWC?
    public var disc: Int
    public var number: Int
    public var file: ResourceFile
    public var parentalWarning: String
    public var genre: String?
    public var pLine: RightsLine?
    public var language: LanguageTag?
    /// The duration the metadata declares; the file's measured duration wins (a warning when they differ by > 1 s).
    public var declaredDuration: ISODuration?
    public var splits: [Split]

    public init(
        isrc: ISRC, title: String, subtitle: String? = nil, displayArtist: String, artists: [Artist],
        contributors: [Contributor] = [], iswc: ISWC? = nil, disc: Int = 1, number: Int, file: ResourceFile,
        parentalWarning: String = "NotExplicit", genre: String? = nil, pLine: RightsLine? = nil,
        language: LanguageTag? = nil, declaredDuration: ISODuration? = nil, splits: [Split] = []
    ) {
        self.isrc = isrc
        self.title = title
        self.subtitle = subtitle
        self.displayArtist = displayArtist
        self.artists = artists
        self.contributors = contributors
        self.iswc = iswc
        self.disc = disc
        self.number = number
        self.file = file
        self.parentalWarning = parentalWarning
        self.genre = genre
        self.pLine = pLine
        self.language = language
        self.declaredDuration = declaredDuration
        self.splits = splits
    }
}

/// A display artist with a DDEX DisplayArtistRole (`MainArtist`, `FeaturedArtist`, `Artist`, `Composer`).
public struct Artist: Sendable, Hashable, Codable {
    public var name: String
    public var role: String
    public var isni: ISNI?

    public init(name: String, role: String = "MainArtist", isni: ISNI? = nil) {
        self.name = name
        self.role = role
        self.isni = isni
    }
}

/// A contributor with a DDEX ResourceContributorRole (`Composer`, `Producer`, `Lyricist`, …).
public struct Contributor: Sendable, Hashable, Codable {
    public var name: String
    public var role: String
    public var isni: ISNI?

    public init(name: String, role: String, isni: ISNI? = nil) {
        self.name = name
        self.role = role
        self.isni = isni
    }
}

/// A ℗ or © line.
public struct RightsLine: Sendable, Hashable, Codable {
    public var year: Int?
    public var text: String

    public init(year: Int?, text: String) {
        self.year = year
        self.text = text
    }
}

/// A proprietary identifier with the namespace (usually a DPID) that issued it.
public struct ProprietaryId: Sendable, Hashable, Codable {
    public var namespace: String
    public var value: String

    public init(namespace: String, value: String) {
        self.namespace = namespace
        self.value = value
    }
}

/// A payee's share of a track, in basis points (the shares of one track sum to 10000).
public struct Split: Sendable, Hashable, Codable {
    /// What the shares of one track sum to: 100%.
    public static let totalBasisPoints = 10_000
    /// The shares a payee may hold: at least one basis point, at most all of them.
    public static let shareRange = 1...totalBasisPoints

    public var payee: String
    public var shareBasisPoints: Int

    public init(payee: String, shareBasisPoints: Int) {
        self.payee = payee
        self.shareBasisPoints = shareBasisPoints
    }
}
