import DDEXConfig
import DDEXModel

/// Everything besides the release that decides what a message for one DSP says.
public struct ERNBuildContext: Sendable {
    public var sender: SenderSettings
    public var profile: DSPProfile
    public var messageId: String
    /// Defaults to the MessageId: each delivery is its own thread.
    public var messageThreadId: String?
    public var createdAt: MessageTimestamp
    /// The URI each resource gets in the message, keyed by package-relative path. Resources missing here
    /// get `resourceFolder` + the name from the profile's `ResourceNaming`.
    public var resourceURIs: [String: String]
    /// Folder of the resource files relative to the message file, with its trailing `/`.
    public var resourceFolder: String

    public init(sender: SenderSettings, profile: DSPProfile, messageId: String, messageThreadId: String? = nil,
                createdAt: MessageTimestamp, resourceURIs: [String: String] = [:], resourceFolder: String = "resources/")
    {
        self.sender = sender
        self.profile = profile
        self.messageId = messageId
        self.messageThreadId = messageThreadId
        self.createdAt = createdAt
        self.resourceURIs = resourceURIs
        self.resourceFolder = resourceFolder
    }

    public var header: ERNHeader {
        ERNHeader(messageThreadId: messageThreadId ?? messageId, messageId: messageId,
                  sender: ERNMessagingParty(dpid: sender.dpid.value, name: sender.name),
                  recipient: ERNMessagingParty(dpid: profile.recipientDPID.value, name: profile.recipientName),
                  createdAt: createdAt, isTest: profile.testMode)
    }
}

/// Turns a `ValidatedRelease` into the message one DSP receives.
///
/// Decides: the takedown form (`remove-deals` → a NewReleaseMessage without DealList, `purge-release` →
/// a PurgeReleaseMessage), local references (`P1…`, `A1…`, `T1…`, `R0` for the main release and `R1…` for
/// track releases), file URIs, the one hash algorithm written per file, and the deals the DSP may see.
public enum ERNMessageBuilder {
    /// The message for this DSP, or nil with the errors that prevent it.
    public static func message(for validated: ValidatedRelease, context: ERNBuildContext) -> (ERNMessage?, [Problem]) {
        if validated.release.takedown, context.profile.takedownStyle == .purgeRelease {
            return (.purgeRelease(purgeRelease(for: validated.release, context: context)), [])
        }
        let (message, problems) = newRelease(for: validated, context: context)
        return (message.map(ERNMessage.newRelease), problems)
    }

    /// A PurgeReleaseMessage naming the release by its ids and title.
    public static func purgeRelease(for release: Release, context: ERNBuildContext) -> ERNPurgeReleaseMessage {
        ERNPurgeReleaseMessage(header: context.header, languageAndScriptCode: release.language?.value ?? "en",
                               releaseId: releaseId(of: release, sender: context.sender),
                               title: release.title, subtitle: release.subtitle)
    }

    /// The hash algorithm written for files in this profile's ERN version, with a warning when the
    /// profile's choice had to be replaced.
    ///
    /// One only: both XSDs allow a single HashSum per File. ERN 3.8.2's AVS has no SHA-256, so a 3.8.2
    /// profile asking only for SHA-256 gets MD5 (ERN.md §2.4, pitfall 10).
    public static func hashAlgorithm(for profile: DSPProfile) -> (HashAlgorithm, Problem?) {
        let supported: [HashAlgorithm] = profile.ernVersion == .ern43 ? [.md5, .sha256] : [.md5]
        if let first = profile.hashAlgorithms.first(where: supported.contains) { return (first, nil) }
        let problem = Problem.warning(.ernHashAlgorithmSubstituted, at: "dsp.\(profile.name).hash_algorithms",
                                      "ERN \(profile.ernVersion.rawValue) cannot carry \(profile.hashAlgorithms.map(\.rawValue).joined(separator: ", ")); MD5 is written instead")
        return (.md5, problem)
    }

    /// The NewReleaseMessage (a takedown when the release asks for one).
    public static func newRelease(for validated: ValidatedRelease, context: ERNBuildContext) -> (ERNNewReleaseMessage?, [Problem]) {
        let release = validated.release
        let profile = context.profile
        var problems: [Problem] = []
        let (algorithm, hashProblem) = hashAlgorithm(for: profile)
        if let hashProblem { problems.append(hashProblem) }
        let names = profile.resourceNaming.fileNames(for: release)
        func uri(_ file: ResourceFile) -> String {
            context.resourceURIs[file.path] ?? (context.resourceFolder + (names[file.path] ?? file.fileName))
        }

        var parties = PartyTable()
        func credits(_ artists: [Artist]) -> [ERNCredit] {
            artists.enumerated().map { i, a in
                ERNCredit(partyReference: parties.reference(name: a.name, isni: a.isni), role: a.role, sequence: i + 1)
            }
        }

        let releaseArtists = credits(release.artists)
        let tracks = release.tracks.enumerated().sorted {
            ($0.element.disc, $0.element.number, $0.offset) < ($1.element.disc, $1.element.number, $1.offset)
        }.map(\.element)

        var recordings: [ERNSoundRecording] = []
        recordings.reserveCapacity(tracks.count)
        var trackReleases: [ERNTrackRelease] = []
        trackReleases.reserveCapacity(tracks.count)
        var next = 1
        // Parties of tracks get references before the label so artists come first in the PartyList.
        var pendingTrackCredits: [([ERNCredit], [ERNCredit])] = []
        for track in tracks {
            let artists = credits(track.artists)
            let contributors = track.contributors.enumerated().map { i, c in
                ERNCredit(partyReference: parties.reference(name: c.name, isni: c.isni), role: c.role, sequence: i + 1)
            }
            pendingTrackCredits.append((artists, contributors))
        }
        let labelReference = parties.reference(name: release.label, isni: nil)
        let idForTracks = release.icpn?.value ?? release.primaryId

        for (index, track) in tracks.enumerated() {
            guard let measured = validated.measured(track.file), let audio = measured.audio else {
                problems.append(.error(.ernResourceUnmeasured, at: "release: tracks[\(index)] (\(track.isrc.value))",
                                       "\(track.file.path) has no measured audio details; it cannot be described in the ERN"))
                continue
            }
            let n = next
            next += 1
            let file = ERNDeliveredFile(technicalReference: "T\(n)", uri: uri(track.file),
                                        hashSum: HashSum(algorithm: algorithm, hex: measured.digest.hex(for: algorithm)),
                                        size: measured.digest.size)
            let (artists, contributors) = pendingTrackCredits[index]
            recordings.append(ERNSoundRecording(
                reference: "A\(n)", isrc: track.isrc, iswc: track.iswc, title: track.title, subtitle: track.subtitle,
                displayArtistName: track.displayArtist, displayArtists: artists, contributors: contributors,
                duration: audio.duration, parentalWarning: track.parentalWarning, pLine: track.pLine ?? release.pLine,
                genre: track.genre ?? release.genre, audio: audio, file: file))
            trackReleases.append(ERNTrackRelease(
                reference: "R\(n)",
                proprietaryId: ProprietaryId(namespace: context.sender.dpid.value, value: "\(idForTracks)_\(track.isrc.value)"),
                resourceReference: "A\(n)", title: track.title, subtitle: track.subtitle,
                displayArtistName: track.displayArtist, displayArtists: artists, labelReference: labelReference,
                genre: track.genre ?? release.genre, parentalWarning: track.parentalWarning))
        }

        var images: [ERNImage] = []
        if let cover = release.cover {
            if let measured = validated.measured(cover.file), let image = measured.image {
                let n = next
                next += 1
                let file = ERNDeliveredFile(technicalReference: "T\(n)", uri: uri(cover.file),
                                            hashSum: HashSum(algorithm: algorithm, hex: measured.digest.hex(for: algorithm)),
                                            size: measured.digest.size)
                images.append(ERNImage(reference: "A\(n)", type: cover.type,
                                       proprietaryId: ProprietaryId(namespace: context.sender.dpid.value, value: "IMG:\(release.primaryId)"),
                                       image: image, file: file))
            } else {
                problems.append(.error(.ernResourceUnmeasured, at: "release: cover",
                                       "\(cover.file.path) has no measured image details; it cannot be described in the ERN"))
            }
        }
        guard !problems.hasErrors else { return (nil, problems) }

        // Discs in order, each with its recordings in track order.
        var discs: [ERNDisc] = []
        for (track, recording) in zip(tracks, recordings) {
            if discs.last?.number == track.disc {
                discs[discs.count - 1].resourceReferences.append(recording.reference)
            } else {
                discs.append(ERNDisc(number: track.disc, resourceReferences: [recording.reference]))
            }
        }
        let total = recordings.reduce(Int64(0)) { $0 + $1.duration.milliseconds }
        let main = ERNMainRelease(
            reference: "R0", releaseType: release.releaseType, releaseId: releaseId(of: release, sender: context.sender),
            title: release.title, subtitle: release.subtitle, displayArtistName: release.displayArtist,
            displayArtists: releaseArtists, labelReference: labelReference, labelName: release.label,
            pLine: release.pLine, cLine: release.cLine, duration: recordings.isEmpty ? nil : ISODuration(milliseconds: total),
            genre: release.genre, subGenre: release.subGenre, releaseDate: release.releaseDate,
            originalReleaseDate: release.originalReleaseDate, parentalWarning: release.parentalWarning,
            discs: discs, linkedResourceReferences: images.map(\.reference))

        var releaseDeals: [ERNReleaseDeal] = []
        if !release.takedown {
            let allReferences = [main.reference] + trackReleases.map(\.reference)
            let referenceByISRC = Dictionary(zip(recordings.map(\.isrc), trackReleases.map(\.reference)),
                                             uniquingKeysWith: { a, _ in a })
            for (index, deal) in DealFilter.deals(release.deals, for: profile).enumerated() {
                let scope: [String]
                if deal.trackISRCs.isEmpty {
                    scope = allReferences
                } else {
                    scope = deal.trackISRCs.compactMap { referenceByISRC[$0] }
                    if scope.isEmpty {
                        problems.append(.warning(.ernReferenceUnresolved, at: "release: deals[\(index)].track_isrcs",
                                                 "none of the deal's ISRCs is a track of the release; the deal is left out"))
                        continue
                    }
                }
                let terms = ERNDealTerms(territories: deal.territories, commercialModels: deal.commercialModels,
                                         useTypes: deal.useTypes, start: deal.start, end: deal.end)
                if let i = releaseDeals.firstIndex(where: { $0.releaseReferences == scope }) {
                    releaseDeals[i].deals.append(terms)
                } else {
                    releaseDeals.append(ERNReleaseDeal(releaseReferences: scope, deals: [terms]))
                }
            }
        }

        let message = ERNNewReleaseMessage(
            header: context.header, languageAndScriptCode: release.language?.value ?? "en", parties: parties.parties,
            soundRecordings: recordings, images: images, release: main, trackReleases: trackReleases,
            releaseDeals: releaseDeals, isTakedown: release.takedown)
        return (message, problems)
    }

    static func releaseId(of release: Release, sender: SenderSettings) -> ERNReleaseId {
        ERNReleaseId(grid: release.grid, icpn: release.icpn, catalogNumber: release.catalogNumber,
                     proprietaryIds: release.proprietaryIds)
    }
}

/// Assigns `P…` references to parties, one per distinct (name, ISNI).
private struct PartyTable {
    private(set) var parties: [ERNParty] = []
    private var index: [Key: String] = [:]

    private struct Key: Hashable {
        var name: String
        var isni: String?
    }

    mutating func reference(name: String, isni: ISNI?) -> String {
        let key = Key(name: name, isni: isni?.value)
        if let ref = index[key] { return ref }
        let ref = "P\(parties.count + 1)"
        parties.append(ERNParty(reference: ref, name: name, isni: isni))
        index[key] = ref
        return ref
    }
}
