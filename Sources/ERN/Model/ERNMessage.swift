import DDEXConfig
import DDEXModel

/// A message party (sender or recipient): DPID and name.
public struct ERNMessagingParty: Sendable, Hashable {
    public var dpid: String
    public var name: String

    public init(dpid: String, name: String) {
        self.dpid = dpid
        self.name = name
    }
}

/// The MessageHeader of an ERN message.
public struct ERNHeader: Sendable, Hashable {
    public var messageThreadId: String?
    public var messageId: String
    public var sender: ERNMessagingParty
    public var recipient: ERNMessagingParty
    public var createdAt: MessageTimestamp
    /// Writes `MessageControlType=TestMessage` (else `LiveMessage`).
    public var isTest: Bool

    public init(messageThreadId: String? = nil, messageId: String, sender: ERNMessagingParty,
                recipient: ERNMessagingParty, createdAt: MessageTimestamp, isTest: Bool = false)
    {
        self.messageThreadId = messageThreadId
        self.messageId = messageId
        self.sender = sender
        self.recipient = recipient
        self.createdAt = createdAt
        self.isTest = isTest
    }
}

/// A party of the PartyList (ERN 4) or an inline artist (ERN 3), with its local `P…` reference.
public struct ERNParty: Sendable, Hashable {
    public var reference: String
    public var name: String
    public var isni: ISNI?

    public init(reference: String, name: String, isni: ISNI? = nil) {
        self.reference = reference
        self.name = name
        self.isni = isni
    }
}

/// A display artist or contributor credit: party reference, role, sequence number.
public struct ERNCredit: Sendable, Hashable {
    public var partyReference: String
    public var role: String
    public var sequence: Int

    public init(partyReference: String, role: String, sequence: Int) {
        self.partyReference = partyReference
        self.role = role
        self.sequence = sequence
    }
}

/// A resource file delivered with the message, as the message names it.
public struct ERNDeliveredFile: Sendable, Hashable {
    /// `T…` reference of the TechnicalDetails block.
    public var technicalReference: String
    /// Path relative to the folder of the message, `/`-separated (`resources/0094631432057_01_001.flac`).
    public var uri: String
    /// The hash written into the message (one: the XSDs allow one HashSum per File).
    public var hashSum: HashSum?
    public var size: UInt64

    public init(technicalReference: String, uri: String, hashSum: HashSum?, size: UInt64) {
        self.technicalReference = technicalReference
        self.uri = uri
        self.hashSum = hashSum
        self.size = size
    }

    /// ERN 3 `FileName`: the last component of `uri`.
    public var fileName: String {
        guard let slash = uri.lastIndex(of: "/") else { return uri }
        return String(uri[uri.index(after: slash)...])
    }

    /// ERN 3 `FilePath`: the folder part of `uri` with its trailing `/`, or nil for a bare name.
    public var filePath: String? {
        guard let slash = uri.lastIndex(of: "/") else { return nil }
        return String(uri[...slash])
    }
}

/// A SoundRecording resource (`A…`).
public struct ERNSoundRecording: Sendable, Hashable {
    public var reference: String
    public var isrc: ISRC
    public var iswc: ISWC?
    public var title: String
    public var subtitle: String?
    public var displayArtistName: String
    public var displayArtists: [ERNCredit]
    public var contributors: [ERNCredit]
    public var duration: ISODuration
    public var parentalWarning: String
    public var pLine: RightsLine?
    public var genre: String
    public var subGenre: String?
    public var audio: AudioDetails
    public var file: ERNDeliveredFile

    public init(reference: String, isrc: ISRC, iswc: ISWC? = nil, title: String, subtitle: String? = nil,
                displayArtistName: String, displayArtists: [ERNCredit], contributors: [ERNCredit] = [],
                duration: ISODuration, parentalWarning: String, pLine: RightsLine? = nil, genre: String,
                subGenre: String? = nil, audio: AudioDetails, file: ERNDeliveredFile)
    {
        self.reference = reference
        self.isrc = isrc
        self.iswc = iswc
        self.title = title
        self.subtitle = subtitle
        self.displayArtistName = displayArtistName
        self.displayArtists = displayArtists
        self.contributors = contributors
        self.duration = duration
        self.parentalWarning = parentalWarning
        self.pLine = pLine
        self.genre = genre
        self.subGenre = subGenre
        self.audio = audio
        self.file = file
    }
}

/// An Image resource (`A…`), normally the front cover.
public struct ERNImage: Sendable, Hashable {
    public var reference: String
    /// DDEX ImageType, `FrontCoverImage` for the cover.
    public var type: String
    public var proprietaryId: ProprietaryId
    public var image: ImageDetails
    public var file: ERNDeliveredFile

    public init(reference: String, type: String, proprietaryId: ProprietaryId, image: ImageDetails, file: ERNDeliveredFile) {
        self.reference = reference
        self.type = type
        self.proprietaryId = proprietaryId
        self.image = image
        self.file = file
    }
}

/// The release identifiers a message carries (ERN 4.3 `ReleaseId` order: GRid, ICPN, CatalogNumber, ProprietaryId).
public struct ERNReleaseId: Sendable, Hashable {
    public var grid: GRid?
    public var icpn: ICPN?
    public var catalogNumber: String?
    public var proprietaryIds: [ProprietaryId]

    public init(grid: GRid? = nil, icpn: ICPN? = nil, catalogNumber: String? = nil, proprietaryIds: [ProprietaryId] = []) {
        self.grid = grid
        self.icpn = icpn
        self.catalogNumber = catalogNumber
        self.proprietaryIds = proprietaryIds
    }

    public var isEmpty: Bool { grid == nil && icpn == nil && catalogNumber == nil && proprietaryIds.isEmpty }
}

/// One disc (component) of the main release: its sound recordings in order.
public struct ERNDisc: Sendable, Hashable {
    public var number: Int
    public var resourceReferences: [String]

    public init(number: Int, resourceReferences: [String]) {
        self.number = number
        self.resourceReferences = resourceReferences
    }
}

/// The main release (`R0`): the album, EP or single.
public struct ERNMainRelease: Sendable, Hashable {
    public var reference: String
    public var releaseType: String
    public var releaseId: ERNReleaseId
    public var title: String
    public var subtitle: String?
    public var displayArtistName: String
    public var displayArtists: [ERNCredit]
    public var labelReference: String
    public var labelName: String
    public var pLine: RightsLine?
    public var cLine: RightsLine?
    public var duration: ISODuration?
    public var genre: String
    public var subGenre: String?
    public var releaseDate: PartialDate?
    public var originalReleaseDate: PartialDate?
    public var parentalWarning: String
    /// Sound recordings grouped by disc, in disc order.
    public var discs: [ERNDisc]
    /// Resources linked to the whole release (the cover).
    public var linkedResourceReferences: [String]

    public init(reference: String, releaseType: String, releaseId: ERNReleaseId, title: String, subtitle: String? = nil,
                displayArtistName: String, displayArtists: [ERNCredit], labelReference: String, labelName: String,
                pLine: RightsLine? = nil, cLine: RightsLine? = nil, duration: ISODuration? = nil, genre: String,
                subGenre: String? = nil, releaseDate: PartialDate? = nil, originalReleaseDate: PartialDate? = nil,
                parentalWarning: String, discs: [ERNDisc], linkedResourceReferences: [String])
    {
        self.reference = reference
        self.releaseType = releaseType
        self.releaseId = releaseId
        self.title = title
        self.subtitle = subtitle
        self.displayArtistName = displayArtistName
        self.displayArtists = displayArtists
        self.labelReference = labelReference
        self.labelName = labelName
        self.pLine = pLine
        self.cLine = cLine
        self.duration = duration
        self.genre = genre
        self.subGenre = subGenre
        self.releaseDate = releaseDate
        self.originalReleaseDate = originalReleaseDate
        self.parentalWarning = parentalWarning
        self.discs = discs
        self.linkedResourceReferences = linkedResourceReferences
    }
}

/// A TrackRelease (`R1…`): one per sound recording, identified by a ProprietaryId (ICPN + ISRC).
public struct ERNTrackRelease: Sendable, Hashable {
    public var reference: String
    public var proprietaryId: ProprietaryId
    public var resourceReference: String
    public var title: String
    public var subtitle: String?
    public var displayArtistName: String
    public var displayArtists: [ERNCredit]
    public var labelReference: String
    public var genre: String
    public var subGenre: String?
    public var parentalWarning: String

    public init(reference: String, proprietaryId: ProprietaryId, resourceReference: String, title: String,
                subtitle: String? = nil, displayArtistName: String, displayArtists: [ERNCredit], labelReference: String,
                genre: String, subGenre: String? = nil, parentalWarning: String)
    {
        self.reference = reference
        self.proprietaryId = proprietaryId
        self.resourceReference = resourceReference
        self.title = title
        self.subtitle = subtitle
        self.displayArtistName = displayArtistName
        self.displayArtists = displayArtists
        self.labelReference = labelReference
        self.genre = genre
        self.subGenre = subGenre
        self.parentalWarning = parentalWarning
    }
}

/// The terms of one deal, already cut down to the DSP's territories and accepted models and uses.
public struct ERNDealTerms: Sendable, Hashable {
    public var territories: TerritorySet
    public var commercialModels: [String]
    public var useTypes: [String]
    /// Required by ERN 4.3 (`PeriodWithStartDate`); optional here only so the checker can report its absence.
    public var start: PartialDate?
    public var end: PartialDate?

    public init(territories: TerritorySet, commercialModels: [String], useTypes: [String], start: PartialDate?,
                end: PartialDate? = nil)
    {
        self.territories = territories
        self.commercialModels = commercialModels
        self.useTypes = useTypes
        self.start = start
        self.end = end
    }
}

/// A ReleaseDeal: the releases it covers and its deals.
public struct ERNReleaseDeal: Sendable, Hashable {
    public var releaseReferences: [String]
    public var deals: [ERNDealTerms]

    public init(releaseReferences: [String], deals: [ERNDealTerms]) {
        self.releaseReferences = releaseReferences
        self.deals = deals
    }
}

/// A NewReleaseMessage, independent of the ERN version it is written in.
///
/// Built from a `ValidatedRelease` for one DSP by `ERNMessageBuilder`, checked by `ERNSemanticChecker`,
/// serialised by `ERN43Writer` or `ERN382Writer`. Everything in it is resolved: references, file URIs,
/// the hash to write, the deals the DSP may receive.
public struct ERNNewReleaseMessage: Sendable, Hashable {
    public var header: ERNHeader
    /// `LanguageAndScriptCode` of the message (the release's language, else `en`).
    public var languageAndScriptCode: String
    public var parties: [ERNParty]
    public var soundRecordings: [ERNSoundRecording]
    public var images: [ERNImage]
    public var release: ERNMainRelease
    public var trackReleases: [ERNTrackRelease]
    /// Empty for a takedown (`remove-deals`): the message then has no DealList (ERN.md §4-5).
    public var releaseDeals: [ERNReleaseDeal]
    public var isTakedown: Bool
    /// The resource files travel with this message (`IsProvidedInDelivery`); false for a takedown sent
    /// without its files.
    public var resourcesProvided: Bool

    public init(header: ERNHeader, languageAndScriptCode: String, parties: [ERNParty], soundRecordings: [ERNSoundRecording],
                images: [ERNImage], release: ERNMainRelease, trackReleases: [ERNTrackRelease],
                releaseDeals: [ERNReleaseDeal], isTakedown: Bool = false, resourcesProvided: Bool = true)
    {
        self.resourcesProvided = resourcesProvided
        self.header = header
        self.languageAndScriptCode = languageAndScriptCode
        self.parties = parties
        self.soundRecordings = soundRecordings
        self.images = images
        self.release = release
        self.trackReleases = trackReleases
        self.releaseDeals = releaseDeals
        self.isTakedown = isTakedown
    }

    /// Every delivered file, sound recordings first, then images.
    public var deliveredFiles: [ERNDeliveredFile] { soundRecordings.map(\.file) + images.map(\.file) }

    /// The name of the party with local reference `reference` (`P1`…), or nil when the message has none (a linear
    /// search: messages hold a few parties).
    public func partyName(_ reference: String) -> String? { parties.first { $0.reference == reference }?.name }
}

/// A PurgeReleaseMessage (`purge-release` takedown style).
public struct ERNPurgeReleaseMessage: Sendable, Hashable {
    public var header: ERNHeader
    public var languageAndScriptCode: String
    public var releaseId: ERNReleaseId
    public var title: String
    public var subtitle: String?

    public init(header: ERNHeader, languageAndScriptCode: String, releaseId: ERNReleaseId, title: String, subtitle: String? = nil) {
        self.header = header
        self.languageAndScriptCode = languageAndScriptCode
        self.releaseId = releaseId
        self.title = title
        self.subtitle = subtitle
    }
}

/// Either kind of release message ddexd sends.
public enum ERNMessage: Sendable, Hashable {
    case newRelease(ERNNewReleaseMessage)
    case purgeRelease(ERNPurgeReleaseMessage)

    public var header: ERNHeader {
        switch self {
        case .newRelease(let m): m.header
        case .purgeRelease(let m): m.header
        }
    }

    /// The root element name, for manifests and logs.
    public var messageType: String {
        switch self {
        case .newRelease: "NewReleaseMessage"
        case .purgeRelease: "PurgeReleaseMessage"
        }
    }
}
