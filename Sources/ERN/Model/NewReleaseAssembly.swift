import DDEXConfig
import DDEXModel

/// Builds one NewReleaseMessage for `ERNMessageBuilder.newRelease`: local references are handed out as the
/// parts are described (`P…` parties: release artists, then each track's artists and contributors, then the
/// label; `A…`/`T…` resources: tracks in disc and track order, then the cover), so the order of the steps in
/// `message()` is the order of the references.
struct NewReleaseAssembly {
    let validated: ValidatedRelease
    let context: ERNBuildContext
    /// The one hash algorithm written per file.
    let algorithm: HashAlgorithm
    /// File names under the profile's resource naming, by package path.
    let names: [String: String]
    var problems: [Problem] = []
    var parties = PartyTable()
    /// The number of the next `A…`/`T…` resource reference.
    var next = 1

    var release: Release { validated.release }
    var profile: DSPProfile { context.profile }

    init(validated: ValidatedRelease, context: ERNBuildContext) {
        self.validated = validated
        self.context = context
        let (algorithm, hashProblem) = ERNMessageBuilder.hashAlgorithm(for: context.profile)
        self.algorithm = algorithm
        if let hashProblem { problems.append(hashProblem) }
        names = context.profile.resourceNaming.fileNames(for: validated.release)
    }

    /// The track's display artists and its contributors.
    typealias TrackCredits = (artists: [ERNCredit], contributors: [ERNCredit])

    mutating func message() -> (ERNNewReleaseMessage?, [Problem]) {
        let releaseArtists = credits(release.artists)
        let tracks = release.tracks.enumerated().sorted {
            ($0.element.disc, $0.element.number, $0.offset) < ($1.element.disc, $1.element.number, $1.offset)
        }.map(\.element)
        // Parties of tracks get references before the label so artists come first in the PartyList.
        let trackCredits = tracks.map { track -> TrackCredits in
            (credits(track.artists), contributorCredits(track.contributors))
        }
        let labelReference = parties.reference(name: release.label, isni: nil)
        let (recordings, trackReleases) = describeTracks(tracks, credits: trackCredits, labelReference: labelReference)
        let images = describeCover()
        guard !problems.hasErrors else { return (nil, problems) }

        let main = mainRelease(tracks: tracks, recordings: recordings, images: images, artists: releaseArtists,
                               labelReference: labelReference)
        let releaseDeals = release.takedown ? [] : releaseDeals(main: main, recordings: recordings, trackReleases: trackReleases)
        let message = ERNNewReleaseMessage(
            header: context.header, languageAndScriptCode: release.language?.value ?? "en", parties: parties.parties,
            soundRecordings: recordings, images: images, release: main, trackReleases: trackReleases,
            releaseDeals: releaseDeals, isTakedown: release.takedown)
        return (message, problems)
    }

    // MARK: Parties

    private mutating func credits(_ artists: [Artist]) -> [ERNCredit] {
        artists.enumerated().map { i, a in
            ERNCredit(partyReference: parties.reference(name: a.name, isni: a.isni), role: a.role, sequence: i + 1)
        }
    }

    private mutating func contributorCredits(_ contributors: [Contributor]) -> [ERNCredit] {
        contributors.enumerated().map { i, c in
            ERNCredit(partyReference: parties.reference(name: c.name, isni: c.isni), role: c.role, sequence: i + 1)
        }
    }

    // MARK: Resources

    /// The URI a resource gets in the message: the context's, else the resource folder + its bundle name.
    private func uri(_ file: ResourceFile) -> String {
        context.resourceURIs[file.path] ?? (context.resourceFolder + (names[file.path] ?? file.fileName))
    }

    /// The delivered file `T<n>` with its size and its hash in the message's one algorithm.
    private func deliveredFile(_ file: ResourceFile, measured: MeasuredResource, reference n: Int) -> ERNDeliveredFile {
        ERNDeliveredFile(technicalReference: "T\(n)", uri: uri(file),
                         hashSum: HashSum(algorithm: algorithm, hex: measured.digest.hex(for: algorithm)),
                         size: measured.digest.size)
    }

    /// A SoundRecording and a TrackRelease per track; a track without measured audio is an error (and takes no
    /// reference).
    private mutating func describeTracks(_ tracks: [Track], credits: [TrackCredits],
                                         labelReference: String) -> ([ERNSoundRecording], [ERNTrackRelease])
    {
        var recordings: [ERNSoundRecording] = []
        recordings.reserveCapacity(tracks.count)
        var trackReleases: [ERNTrackRelease] = []
        trackReleases.reserveCapacity(tracks.count)
        let idForTracks = release.icpn?.value ?? release.primaryId
        for (index, track) in tracks.enumerated() {
            guard let measured = validated.measured(track.file), let audio = measured.audio else {
                problems.append(.error(.ernResourceUnmeasured, at: "release: tracks[\(index)] (\(track.isrc.value))",
                                       "\(track.file.path) has no measured audio details; it cannot be described in the ERN"))
                continue
            }
            let n = next
            next += 1
            let file = deliveredFile(track.file, measured: measured, reference: n)
            let (artists, contributors) = credits[index]
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
        return (recordings, trackReleases)
    }

    /// The cover as an Image; one without measured image details is an error.
    private mutating func describeCover() -> [ERNImage] {
        guard let cover = release.cover else { return [] }
        guard let measured = validated.measured(cover.file), let image = measured.image else {
            problems.append(.error(.ernResourceUnmeasured, at: "release: cover",
                                   "\(cover.file.path) has no measured image details; it cannot be described in the ERN"))
            return []
        }
        let n = next
        next += 1
        let file = deliveredFile(cover.file, measured: measured, reference: n)
        return [ERNImage(reference: "A\(n)", type: cover.type,
                         proprietaryId: ProprietaryId(namespace: context.sender.dpid.value, value: "IMG:\(release.primaryId)"),
                         image: image, file: file)]
    }

    // MARK: Release

    /// The main release `R0`: its discs in order, each with its recordings in track order, and its duration the
    /// sum of the recordings' (none without recordings).
    private func mainRelease(tracks: [Track], recordings: [ERNSoundRecording], images: [ERNImage], artists: [ERNCredit],
                             labelReference: String) -> ERNMainRelease
    {
        var discs: [ERNDisc] = []
        for (track, recording) in zip(tracks, recordings) {
            if discs.last?.number == track.disc {
                discs[discs.count - 1].resourceReferences.append(recording.reference)
            } else {
                discs.append(ERNDisc(number: track.disc, resourceReferences: [recording.reference]))
            }
        }
        let total = recordings.reduce(Int64(0)) { $0 + $1.duration.milliseconds }
        return ERNMainRelease(
            reference: "R0", releaseType: release.releaseType, releaseId: ERNMessageBuilder.releaseId(of: release, sender: context.sender),
            title: release.title, subtitle: release.subtitle, displayArtistName: release.displayArtist,
            displayArtists: artists, labelReference: labelReference, labelName: release.label,
            pLine: release.pLine, cLine: release.cLine, duration: recordings.isEmpty ? nil : ISODuration(milliseconds: total),
            genre: release.genre, subGenre: release.subGenre, releaseDate: release.releaseDate,
            originalReleaseDate: release.originalReleaseDate, parentalWarning: release.parentalWarning,
            discs: discs, linkedResourceReferences: images.map(\.reference))
    }

    /// The deals the DSP may see (`DealFilter`), grouped by the release references they cover: a release-wide
    /// deal covers the main release and every track release; a track deal whose ISRCs name no track is left out
    /// with a warning.
    private mutating func releaseDeals(main: ERNMainRelease, recordings: [ERNSoundRecording],
                                       trackReleases: [ERNTrackRelease]) -> [ERNReleaseDeal]
    {
        var releaseDeals: [ERNReleaseDeal] = []
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
        return releaseDeals
    }
}

/// Assigns `P…` references to parties, one per distinct (name, ISNI).
struct PartyTable {
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
