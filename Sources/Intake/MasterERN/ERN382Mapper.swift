import DDEXModel

/// Maps an ERN 3.8.2 NewReleaseMessage onto the model.
///
/// ERN 3 has no PartyList: artists and labels are inline, and most descriptive data sits in
/// `…DetailsByTerritory` blocks, of which the worldwide one (else the first) is read. Track releases are
/// `Release`s with `ReleaseType=TrackRelease`.
struct ERN382Mapper {
    let root: ERNNode
    let log: MasterERNLog
    let fields: MasterERNFields

    init(root: ERNNode, log: MasterERNLog) {
        self.root = root
        self.log = log
        fields = MasterERNFields(log: log, language: root.attribute("LanguageAndScriptCode"))
    }

    /// What the track releases say: each one's primary resources by its reference, and each resource's genre.
    private struct TrackReleases {
        var resourcesByTrackRelease: [String: [String]] = [:]
        var genreByResource: [String: String] = [:]
    }

    /// The release, or nil when the message has no main release; every problem found on the way is in `log`,
    /// in document order (resources, the main release's details, tracks, cover, the release's own fields, deals).
    func map() -> Release? {
        let resources = MasterERNResources(root: root, log: log)
        guard let releaseList = root.child("ReleaseList") else {
            log.missing("ReleaseList", in: root)
            return nil
        }
        let releases = releaseList.children("Release")
        guard let main = mainRelease(releases) else {
            log.missing("Release", in: releaseList, "the master ERN must describe its main release")
            return nil
        }
        let details = byTerritory(main.children("ReleaseDetailsByTerritory"))
        if details == nil { log.missing("ReleaseDetailsByTerritory", in: main) }
        let trackReleases = readTrackReleases(releases, main: main)
        let releaseWarning = details.flatMap { ERNNode.preferred($0.children("ParentalWarningType")) }
        let tracks = readTracks(trackSlots(main, details: details, recordings: resources.recordings), resources: resources,
                                genreByResource: trackReleases.genreByResource, releaseWarning: releaseWarning?.text)
        let cover = frontCover(main, details: details, images: resources.images)
        return release(main, details: details, releaseWarning: releaseWarning, tracks: tracks, cover: cover,
                       resourcesByTrackRelease: trackReleases.resourcesByTrackRelease)
    }

    // MARK: Tracks

    /// Track releases (every `TrackRelease` but the main one): reference → their primary resources, and genre per
    /// resource.
    private func readTrackReleases(_ releases: [ERNNode], main: ERNNode) -> TrackReleases {
        var read = TrackReleases()
        for release in releases where release.path != main.path && isTrackRelease(release) {
            let resources = release.all("ReleaseResourceReferenceList", "ReleaseResourceReference").map(\.text)
            for reference in release.children("ReleaseReference") {
                read.resourcesByTrackRelease[reference.text] = resources
            }
            if let genre = byTerritory(release.children("ReleaseDetailsByTerritory")).flatMap({
                ERNNode.preferred($0.children("Genre"), language: fields.language)?.text("GenreText")
            }) {
                for resource in resources { read.genreByResource[resource] = genre }
            }
        }
        return read
    }

    /// Track order: the ResourceGroup of the release details, else the resource reference list (its sound
    /// recordings, one disc).
    private func trackSlots(_ main: ERNNode, details: ERNNode?, recordings: [String: ERNNode]) -> [MasterERNFields.Slot] {
        if let group = details?.child("ResourceGroup") {
            return fields.trackSlots(group)
        }
        return main.all("ReleaseResourceReferenceList", "ReleaseResourceReference")
            .filter { recordings[$0.text] != nil }
            .enumerated().map { MasterERNFields.Slot(disc: 1, number: $0.offset + 1, reference: $0.element) }
    }

    private func readTracks(_ slots: [MasterERNFields.Slot], resources: MasterERNResources,
                            genreByResource: [String: String], releaseWarning: String?) -> MasterERNTracks
    {
        var read = MasterERNTracks()
        for slot in slots {
            guard let recording = resources.recordings[slot.reference.text] else {
                resources.logNotARecording(slot.reference, log: log)
                continue
            }
            guard let track = track(recording, slot: slot, genre: genreByResource[slot.reference.text],
                                    releaseWarning: releaseWarning)
            else { continue }
            read.isrcByResource[slot.reference.text] = track.isrc
            read.tracks.append(track)
        }
        return read
    }

    /// Cover: a FrontCoverImage among the release's resources, else any (the first in the document).
    private func frontCover(_ main: ERNNode, details: ERNNode?, images: [String: ERNNode]) -> ImageResource? {
        let releaseResources = main.all("ReleaseResourceReferenceList", "ReleaseResourceReference").map(\.text)
            + (details?.child("ResourceGroup").map(fields.linkedReferences) ?? [])
        let isCover = { (image: ERNNode) in image.text("ImageType") == "FrontCoverImage" }
        let coverNode = releaseResources.compactMap { images[$0] }.first(where: isCover)
            ?? images.values.sorted { $0.line < $1.line }.first(where: isCover)
        return coverNode.flatMap(cover)
    }

    // MARK: Release

    private func release(_ main: ERNNode, details: ERNNode?, releaseWarning: ERNNode?, tracks: MasterERNTracks,
                         cover: ImageResource?, resourcesByTrackRelease: [String: [String]]) -> Release
    {
        let ids = releaseIds(of: main)
        let (title, subtitle) = referenceTitle(main)
        let artists = details.map(displayArtists) ?? []
        let displayArtist = details.flatMap { ERNNode.preferred($0.children("DisplayArtistName"), language: fields.language) }
        if displayArtist == nil { log.missing("DisplayArtistName", in: details ?? main) }
        let label = details.flatMap { ERNNode.preferred($0.children("LabelName"), language: fields.language) }
        if label == nil { log.missing("LabelName", in: details ?? main) }
        let genreNode = details.flatMap { ERNNode.preferred($0.children("Genre"), language: fields.language) }
        let genre = genreNode?.text("GenreText")
        if genre == nil { log.missing("Genre/GenreText", in: details ?? main) }
        let releaseType = releaseType(of: main, details: details)
        let parentalWarning = parentalWarning(releaseWarning, in: details ?? main)
        let pLine = ERNNode.preferred(main.children("PLine") + (details?.children("PLine") ?? []), language: fields.language)
        let cLine = ERNNode.preferred(main.children("CLine") + (details?.children("CLine") ?? []), language: fields.language)
        let language = messageLanguage()
        let mainReferences = Set(main.children("ReleaseReference").map(\.text))
        let (deals, takedown) = readDeals(mainReferences: mainReferences, resourcesByTrackRelease: resourcesByTrackRelease,
                                          isrcByResource: tracks.isrcByResource)
        return Release(
            icpn: ids.icpn, grid: ids.grid, catalogNumber: ids.catalogNumber, proprietaryIds: ids.proprietaryIds,
            title: title, subtitle: subtitle, displayArtist: displayArtist?.text ?? artists.map(\.name).joined(separator: ", "),
            artists: artists, label: label?.text ?? "",
            pLine: fields.rightsLine(pLine, textElement: "PLineText"),
            cLine: fields.rightsLine(cLine, textElement: "CLineText"),
            genre: genre ?? "", subGenre: genreNode?.text("SubGenre"), releaseType: releaseType,
            releaseDate: fields.date(main.child("GlobalReleaseDate") ?? details?.child("ReleaseDate")),
            originalReleaseDate: fields.date(main.child("GlobalOriginalReleaseDate") ?? details?.child("OriginalReleaseDate")),
            parentalWarning: parentalWarning, language: language, cover: cover, tracks: tracks.tracks, deals: deals,
            takedown: takedown
        )
    }

    /// Identifiers of every ReleaseId of the main release; an ISRC there is ignored with a warning.
    private func releaseIds(of main: ERNNode) -> MasterERNReleaseIds {
        let ids = main.children("ReleaseId")
        let icpn = log.validated(ids.compactMap { $0.child("ICPN") }.first, ICPN.init(validating:))
        let grid = log.validated(ids.compactMap { $0.child("GRid") }.first, GRid.init(validating:))
        let catalogNumber = ids.compactMap { $0.text("CatalogNumber") }.first
        let proprietaryIds = ids.flatMap { $0.children("ProprietaryId") }.map {
            ProprietaryId(namespace: $0.attribute("Namespace") ?? "", value: $0.text)
        }
        if let isrc = ids.compactMap({ $0.child("ISRC") }).first {
            log.warning(.masterERNIgnored, isrc, "an ISRC is not a release identifier (DDEX deprecates it); it is ignored")
        }
        if icpn == nil, grid == nil, catalogNumber == nil, proprietaryIds.isEmpty,
           !ids.contains(where: { $0.child("ICPN") != nil || $0.child("GRid") != nil })
        {
            log.missing("ReleaseId/ICPN, GRid, CatalogNumber or ProprietaryId", in: main)
        }
        return MasterERNReleaseIds(icpn: icpn, grid: grid, catalogNumber: catalogNumber, proprietaryIds: proprietaryIds)
    }

    /// The first `ReleaseType` of the release or its details that is not `UserDefined` (else the first), if it
    /// is an allowed value; else "".
    private func releaseType(of main: ERNNode, details: ERNNode?) -> String {
        let typeNodes = main.children("ReleaseType") + (details?.children("ReleaseType") ?? [])
        guard let typeNode = typeNodes.first(where: { $0.text != "UserDefined" }) ?? typeNodes.first else {
            log.missing("ReleaseType", in: main)
            return ""
        }
        return log.allowed(typeNode, in: AllowedValues.releaseTypes, "ReleaseType") ? typeNode.text : ""
    }

    /// The release's `ParentalWarningType` when allowed; missing, `NoAdviceAvailable` with a warning on `place`.
    private func parentalWarning(_ releaseWarning: ERNNode?, in place: ERNNode) -> String {
        guard let releaseWarning else {
            log.warning(.masterERNMissing, place, "ParentalWarningType is missing; NoAdviceAvailable is assumed")
            return "NoAdviceAvailable"
        }
        if log.allowed(releaseWarning, in: AllowedValues.parentalWarningTypes, "ParentalWarningType") {
            return releaseWarning.text
        }
        return "NoAdviceAvailable"
    }

    /// ERN 3.8.2's LanguageAndScriptCode is free text: a value that is no language tag is only a warning.
    private func messageLanguage() -> LanguageTag? {
        fields.language.flatMap { code -> LanguageTag? in
            let tag = try? LanguageTag(validating: code)
            if tag == nil { log.warning(.languageInvalid, root, "LanguageAndScriptCode '\(code)' is not a language tag; the release has no language") }
            return tag
        }
    }

    // MARK: Parts

    /// `IsMainRelease="true"`, else the first release that is not a TrackRelease, else the first.
    private func mainRelease(_ releases: [ERNNode]) -> ERNNode? {
        releases.first { $0.attribute("IsMainRelease") == "true" }
            ?? releases.first { !isTrackRelease($0) }
            ?? releases.first
    }

    private func isTrackRelease(_ release: ERNNode) -> Bool {
        let types = release.children("ReleaseType") + release.all("ReleaseDetailsByTerritory", "ReleaseType")
        return types.contains { $0.text == "TrackRelease" }
    }

    /// The worldwide block, else the first.
    private func byTerritory(_ blocks: [ERNNode]) -> ERNNode? {
        blocks.first { $0.children("TerritoryCode").contains { $0.text == "Worldwide" } } ?? blocks.first
    }

    private func referenceTitle(_ node: ERNNode) -> (String, String?) {
        guard let title = node.child("ReferenceTitle"), let text = title.text("TitleText") else {
            log.missing("ReferenceTitle/TitleText", in: node)
            return ("", nil)
        }
        return (text, title.text("SubTitle"))
    }

    private func displayArtists(_ details: ERNNode) -> [Artist] {
        let sorted = details.children("DisplayArtist").enumerated().sorted {
            ($0.element.sequenceNumber ?? Int.max, $0.offset) < ($1.element.sequenceNumber ?? Int.max, $1.offset)
        }.map(\.element)
        return sorted.compactMap { artist in
            guard let name = fields.partyNameText(artist) else {
                log.missing("PartyName/FullName", in: artist)
                return nil
            }
            var role = "MainArtist"
            if let roleNode = artist.child("ArtistRole") {
                if log.allowed(roleNode, in: AllowedValues.displayArtistRoles, "DisplayArtistRole") { role = roleNode.text }
            }
            return Artist(name: name, role: role, isni: isni(of: artist))
        }
    }

    /// ERN 3 marks an ISNI with `PartyId/@IsISNI="true"` (or `Namespace="ISNI"`).
    private func isni(of party: ERNNode) -> ISNI? {
        let node = party.children("PartyId").first {
            $0.attribute("IsISNI") == "true" || $0.attribute("Namespace")?.uppercased() == "ISNI"
        }
        return log.validated(node, ISNI.init(validating:))
    }

    private func track(_ recording: ERNNode, slot: MasterERNFields.Slot, genre: String?, releaseWarning: String?) -> Track? {
        guard let isrcNode = recording.all("SoundRecordingId", "ISRC").first else {
            log.missing("SoundRecordingId/ISRC", in: recording, "every track needs an ISRC")
            return nil
        }
        let isrc = log.validated(isrcNode, ISRC.init(validating:))
        let details = byTerritory(recording.children("SoundRecordingDetailsByTerritory"))
        if details == nil { log.missing("SoundRecordingDetailsByTerritory", in: recording) }
        let fileNode = details?.all("TechnicalSoundRecordingDetails", "File").first
        if fileNode == nil {
            log.missing("TechnicalSoundRecordingDetails/File", in: details ?? recording, "ddexd needs the audio file of every track")
        }
        let file = fileNode.flatMap(resourceFile)
        let artists = details.map(displayArtists) ?? []
        var contributors: [Contributor] = []
        for (element, roleElement) in [("ResourceContributor", "ResourceContributorRole"),
                                       ("IndirectResourceContributor", "IndirectResourceContributorRole")]
        {
            for contributor in details?.children(element) ?? [] {
                guard let name = fields.partyNameText(contributor) else {
                    log.missing("PartyName/FullName", in: contributor)
                    continue
                }
                for role in contributor.children(roleElement) {
                    let value = role.text == "UserDefined" ? (role.attribute("UserDefinedValue") ?? role.text) : role.text
                    if role.text != "UserDefined" {
                        log.allowed(role, in: MasterERNFields.contributorRoles, "contributor role", severity: .warning)
                    }
                    contributors.append(Contributor(name: name, role: value, isni: isni(of: contributor)))
                }
            }
        }
        let (title, subtitle) = referenceTitle(recording)
        let duration = log.validated(recording.child("Duration"), ISODuration.init(validating:))
        if recording.child("Duration") == nil { log.missing("Duration", in: recording) }
        var parentalWarning = releaseWarning ?? "NoAdviceAvailable"
        if let warning = details.flatMap({ ERNNode.preferred($0.children("ParentalWarningType")) }),
           log.allowed(warning, in: AllowedValues.parentalWarningTypes, "ParentalWarningType")
        {
            parentalWarning = warning.text
        }
        let displayArtist = details.flatMap { ERNNode.preferred($0.children("DisplayArtistName"), language: fields.language) }?.text
            ?? artists.map(\.name).joined(separator: ", ")
        let trackGenre = details.flatMap { ERNNode.preferred($0.children("Genre"), language: fields.language)?.text("GenreText") } ?? genre
        guard let isrc, let file else { return nil }
        return Track(
            isrc: isrc, title: title, subtitle: subtitle, displayArtist: displayArtist, artists: artists,
            contributors: contributors,
            iswc: log.validated(recording.all("IndirectSoundRecordingId", "ISWC").first, ISWC.init(validating:)),
            disc: slot.disc, number: slot.number, file: file, parentalWarning: parentalWarning, genre: trackGenre,
            pLine: fields.rightsLine(details.flatMap { ERNNode.preferred($0.children("PLine"), language: fields.language) },
                                     textElement: "PLineText"),
            language: recording.child("LanguageOfPerformance").flatMap {
                log.validated($0, LanguageTag.init(validating:), severity: .warning)
            },
            declaredDuration: duration
        )
    }

    /// `File{(FileName, FilePath?) | URL, HashSum{HashSum, HashSumAlgorithmType, HashSumDataType?}}`.
    private func resourceFile(_ file: ERNNode) -> ResourceFile? {
        let raw: String
        let place: ERNNode
        if let name = file.child("FileName"), !name.text.isEmpty {
            var folder = file.text("FilePath") ?? ""
            while folder.hasSuffix("/") { folder.removeLast() }
            raw = folder.isEmpty ? name.text : folder + "/" + name.text
            place = name
        } else if let url = file.child("URL"), !url.text.isEmpty {
            raw = url.text
            place = url
        } else {
            log.missing("FileName or URL", in: file)
            return nil
        }
        guard let path = fields.packagePath(raw, place) else { return nil }
        let hash = file.child("HashSum").flatMap {
            fields.hashSum(algorithm: $0.child("HashSumAlgorithmType"), value: $0.child("HashSum"),
                           dataType: $0.text("HashSumDataType"), in: $0)
        }
        return ResourceFile(path: path, declaredHash: hash)
    }

    private func cover(_ image: ERNNode) -> ImageResource? {
        let details = byTerritory(image.children("ImageDetailsByTerritory"))
        guard let file = details?.all("TechnicalImageDetails", "File").first else {
            log.warning(.masterERNMissing, image, "the FrontCoverImage names no TechnicalImageDetails/File; the release has no cover file")
            return nil
        }
        return resourceFile(file).map { ImageResource(type: "FrontCoverImage", file: $0) }
    }

    /// Like 4.3, plus ERN 3's `TakeDown`: a deal with `TakeDown=true` sets `Release.takedown`.
    private func readDeals(mainReferences: Set<String>, resourcesByTrackRelease: [String: [String]],
                           isrcByResource: [String: ISRC]) -> ([Deal], Bool)
    {
        guard let list = root.child("DealList") else { return ([], false) }
        var deals: [Deal] = []
        var takedown = false
        for releaseDeal in list.children("ReleaseDeal") {
            let references = releaseDeal.children("DealReleaseReference")
            var isrcs: [ISRC] = []
            var wholeRelease = false
            for reference in references {
                if mainReferences.contains(reference.text) {
                    wholeRelease = true
                } else if let resources = resourcesByTrackRelease[reference.text] {
                    isrcs += resources.compactMap { isrcByResource[$0] }
                } else {
                    log.error(.masterERNReferenceUnknown, reference,
                              "'\(reference.text)' is neither the main release nor a TrackRelease")
                }
            }
            if references.isEmpty { log.missing("DealReleaseReference", in: releaseDeal) }
            if !wholeRelease && isrcs.isEmpty { continue }
            for deal in releaseDeal.children("Deal") {
                guard let terms = deal.child("DealTerms") else {
                    log.warning(.masterERNIgnored, deal, "a Deal without DealTerms is skipped")
                    continue
                }
                if terms.text("TakeDown") == "true" || terms.text("AllDealsCancelled") == "true" {
                    if wholeRelease { takedown = true }
                    continue
                }
                deals += fields.deals(terms: terms, useTypes: terms.all("Usage", "UseType"),
                                      trackISRCs: wholeRelease ? [] : isrcs)
            }
        }
        return (deals, takedown)
    }
}
