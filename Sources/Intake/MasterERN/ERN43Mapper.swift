import DDEXModel

/// Maps an ERN 4.3 NewReleaseMessage onto the model.
///
/// Parties are resolved through `PartyList` (`P…` references), recordings through `ResourceList` (`A…`),
/// track releases and deals through `R…` references.
struct ERN43Mapper {
    let root: ERNNode
    let log: MasterERNLog
    let fields: MasterERNFields

    init(root: ERNNode, log: MasterERNLog) {
        self.root = root
        self.log = log
        fields = MasterERNFields(log: log, language: root.attribute("LanguageAndScriptCode"))
    }

    /// What the `TrackRelease`s say, by reference: the resource each one releases, and each resource's genre.
    private struct TrackReleases {
        var genreByResource: [String: (String, String?)] = [:]
        var resourceByTrackRelease: [String: ERNNode] = [:]
    }

    /// The release, or nil when the message has no main release; every problem found on the way is in `log`,
    /// in document order (parties, resources, track releases, tracks, cover, then the release's own fields
    /// and deals).
    func map() -> Release? {
        let parties = PartyResolver(parties: readParties(), log: log, fields: fields)
        let resources = MasterERNResources(root: root, log: log)
        guard let releaseList = root.child("ReleaseList") else {
            log.missing("ReleaseList", in: root)
            return nil
        }
        guard let main = releaseList.child("Release") else {
            log.missing("Release", in: releaseList, "the master ERN must describe its main release")
            return nil
        }
        let trackReleases = readTrackReleases(releaseList.children("TrackRelease"))
        let group = main.child("ResourceGroup")
        if group == nil { log.missing("ResourceGroup", in: main, "it lists the tracks") }
        let tracks = readTracks(in: group, resources: resources, genreByResource: trackReleases.genreByResource,
                                parties: parties)
        let cover = frontCover(in: group, images: resources.images)
        return release(main, tracks: tracks, cover: cover, parties: parties,
                       resourceByTrackRelease: trackReleases.resourceByTrackRelease)
    }

    // MARK: Tracks

    private func readTrackReleases(_ trackReleases: [ERNNode]) -> TrackReleases {
        var read = TrackReleases()
        for trackRelease in trackReleases {
            guard let reference = trackRelease.text("ReleaseReference") else {
                log.missing("ReleaseReference", in: trackRelease)
                continue
            }
            guard let resource = trackRelease.child("ReleaseResourceReference") else {
                log.missing("ReleaseResourceReference", in: trackRelease)
                continue
            }
            read.resourceByTrackRelease[reference] = resource
            if let genre = ERNNode.preferred(trackRelease.children("Genre"), language: fields.language),
               let text = genre.text("GenreText")
            {
                read.genreByResource[resource.text] = (text, genre.text("SubGenre"))
            }
        }
        return read
    }

    /// The tracks of the group's slots, in slot order; a slot that names an image or another non-audio
    /// resource is skipped with a warning, one that names no resource is an error.
    private func readTracks(in group: ERNNode?, resources: MasterERNResources, genreByResource: [String: (String, String?)],
                            parties: PartyResolver) -> MasterERNTracks
    {
        var read = MasterERNTracks()
        for slot in group.map(fields.trackSlots) ?? [] {
            let reference = slot.reference.text
            guard let recording = resources.recordings[reference] else {
                resources.logNotARecording(slot.reference, log: log)
                continue
            }
            guard let track = track(recording, slot: slot, genre: genreByResource[reference], parties: parties)
            else { continue }
            read.isrcByResource[reference] = track.isrc
            read.tracks.append(track)
        }
        return read
    }

    /// The `FrontCoverImage` the group links to, else the first one in `ResourceList`.
    private func frontCover(in group: ERNNode?, images: [String: ERNNode]) -> ImageResource? {
        var coverReference: String?
        for reference in group.map(fields.linkedReferences) ?? [] {
            guard let image = images[reference] else { continue }
            if image.text("Type") == "FrontCoverImage" {
                coverReference = reference
                break
            }
        }
        if coverReference == nil {
            coverReference = images.first { $0.value.text("Type") == "FrontCoverImage" }?.key
        }
        guard let coverReference, let image = images[coverReference] else { return nil }
        return cover(image)
    }

    // MARK: Release

    private func release(_ main: ERNNode, tracks: MasterERNTracks, cover: ImageResource?, parties: PartyResolver,
                         resourceByTrackRelease: [String: ERNNode]) -> Release
    {
        let ids = releaseIds(of: main)
        let (title, subtitle) = title(of: main)
        let releaseArtists = parties.artists(of: main)
        let label = label(of: main, parties: parties)
        let genreNode = ERNNode.preferred(main.children("Genre"), language: fields.language)
        let genre = genreNode?.text("GenreText")
        if genre == nil { log.missing("Genre/GenreText", in: main) }
        let releaseType = releaseType(of: main)
        let language = messageLanguage()
        let deals = readDeals(mainReference: main.text("ReleaseReference"), resourceByTrackRelease: resourceByTrackRelease,
                              isrcByResource: tracks.isrcByResource)
        return Release(
            icpn: ids.icpn, grid: ids.grid, catalogNumber: ids.catalogNumber, proprietaryIds: ids.proprietaryIds,
            title: title, subtitle: subtitle, displayArtist: parties.displayArtistName(of: main, artists: releaseArtists),
            artists: releaseArtists, label: label,
            pLine: fields.rightsLine(ERNNode.preferred(main.children("PLine"), language: fields.language), textElement: "PLineText"),
            cLine: fields.rightsLine(ERNNode.preferred(main.children("CLine"), language: fields.language), textElement: "CLineText"),
            genre: genre ?? "", subGenre: genreNode?.text("SubGenre"), releaseType: releaseType,
            releaseDate: fields.date(ERNNode.preferred(main.children("ReleaseDate"))),
            originalReleaseDate: fields.date(ERNNode.preferred(main.children("OriginalReleaseDate"))),
            parentalWarning: parentalWarning(of: main) ?? "NoAdviceAvailable", language: language, cover: cover,
            tracks: tracks.tracks, deals: deals
        )
    }

    private func releaseIds(of main: ERNNode) -> MasterERNReleaseIds {
        let ids = main.child("ReleaseId")
        if ids == nil { log.missing("ReleaseId", in: main) }
        let icpn = log.validated(ids?.child("ICPN"), ICPN.init(validating:))
        let grid = log.validated(ids?.child("GRid"), GRid.init(validating:))
        let catalogNumber = ids?.text("CatalogNumber")
        let proprietaryIds = (ids?.children("ProprietaryId") ?? []).map {
            ProprietaryId(namespace: $0.attribute("Namespace") ?? "", value: $0.text)
        }
        if let ids, ids.element.children.isEmpty { log.missing("ICPN, GRid, CatalogNumber or ProprietaryId", in: ids) }
        return MasterERNReleaseIds(icpn: icpn, grid: grid, catalogNumber: catalogNumber, proprietaryIds: proprietaryIds)
    }

    /// The name of the label party the preferred `ReleaseLabelReference` names; "" when there is none.
    private func label(of main: ERNNode, parties: PartyResolver) -> String {
        let labels = main.children("ReleaseLabelReference")
        guard let node = ERNNode.preferred(labels, language: fields.language) else {
            log.missing("ReleaseLabelReference", in: main)
            return ""
        }
        return parties.party(node, "ReleaseLabelReference")?.name ?? ""
    }

    /// The first `ReleaseType` that is not `UserDefined` (else the first), if it is an allowed value; else "".
    private func releaseType(of main: ERNNode) -> String {
        let types = main.children("ReleaseType")
        guard let typeNode = types.first(where: { $0.text != "UserDefined" }) ?? types.first else {
            log.missing("ReleaseType", in: main)
            return ""
        }
        return log.allowed(typeNode, in: AllowedValues.releaseTypes, "ReleaseType") ? typeNode.text : ""
    }

    /// The message's `LanguageAndScriptCode` as a language tag; one that is not a tag is a warning, not an error.
    private func messageLanguage() -> LanguageTag? {
        guard let code = fields.language else { return nil }
        let language = try? LanguageTag(validating: code)
        if language == nil {
            log.warning(.languageInvalid, root, "LanguageAndScriptCode '\(code)' is not a language tag; the release has no language")
        }
        return language
    }

    // MARK: Parts

    /// Title and subtitle: the structured `DisplayTitle` (TitleText, SubTitle) when present, because ddexd
    /// writes DisplayTitleText from them; else `DisplayTitleText`.
    private func title(of node: ERNNode) -> (String, String?) {
        if let display = ERNNode.preferred(node.children("DisplayTitle"), language: fields.language),
           let text = display.text("TitleText")
        {
            return (text, display.text("SubTitle"))
        }
        if let text = ERNNode.preferred(node.children("DisplayTitleText"), language: fields.language), !text.text.isEmpty {
            return (text.text, nil)
        }
        log.missing("DisplayTitleText", in: node)
        return ("", nil)
    }

    private func parentalWarning(of node: ERNNode) -> String? {
        guard let warning = ERNNode.preferred(node.children("ParentalWarningType")) else {
            log.warning(.masterERNMissing, node, "ParentalWarningType is missing; NoAdviceAvailable is assumed")
            return nil
        }
        return log.allowed(warning, in: AllowedValues.parentalWarningTypes, "ParentalWarningType") ? warning.text : nil
    }

    private func track(_ recording: ERNNode, slot: MasterERNFields.Slot, genre: (String, String?)?,
                       parties: PartyResolver) -> Track?
    {
        let editions = recording.children("SoundRecordingEdition")
        guard let edition = editions.first else {
            log.missing("SoundRecordingEdition", in: recording)
            return nil
        }
        if editions.count > 1 {
            log.warning(.masterERNIgnored, editions[1], "only the first SoundRecordingEdition is read")
        }
        guard let isrcNode = edition.path("ResourceId", "ISRC") else {
            log.missing("ResourceId/ISRC", in: edition, "every track needs an ISRC")
            return nil
        }
        let isrc = log.validated(isrcNode, ISRC.init(validating:))
        let deliveryFile = edition.all("TechnicalDetails", "DeliveryFile").first { $0.child("File") != nil }
        let file = deliveryFile?.child("File").flatMap(resourceFile)
        if deliveryFile == nil {
            log.missing("TechnicalDetails/DeliveryFile/File", in: edition, "ddexd needs the audio file of every track")
        }
        let trackArtists = parties.artists(of: recording)
        let contributors: [Contributor] = recording.children("Contributor").flatMap { contributor -> [Contributor] in
            guard let reference = contributor.child("ContributorPartyReference") else {
                log.missing("ContributorPartyReference", in: contributor)
                return []
            }
            guard let resolved = parties.party(reference, "ContributorPartyReference"), let name = resolved.name else { return [] }
            return contributor.children("Role").compactMap { role in
                let value = role.text == "UserDefined" ? (role.attribute("UserDefinedValue") ?? role.text) : role.text
                if role.text != "UserDefined" {
                    log.allowed(role, in: MasterERNFields.contributorRoles, "contributor role", severity: .warning)
                }
                return Contributor(name: name, role: value, isni: resolved.isni)
            }
        }
        let (title, subtitle) = title(of: recording)
        let duration = log.validated(recording.child("Duration"), ISODuration.init(validating:))
        if recording.child("Duration") == nil { log.missing("Duration", in: recording) }
        let language = recording.child("LanguageOfPerformance").flatMap {
            log.validated($0, LanguageTag.init(validating:), severity: .warning)
        }
        guard let isrc, let file else { return nil }
        return Track(
            isrc: isrc, title: title, subtitle: subtitle, displayArtist: parties.displayArtistName(of: recording, artists: trackArtists),
            artists: trackArtists, contributors: contributors,
            iswc: log.validated(recording.path("WorkId", "ISWC"), ISWC.init(validating:)),
            disc: slot.disc, number: slot.number, file: file,
            parentalWarning: parentalWarning(of: recording) ?? "NoAdviceAvailable", genre: genre?.0,
            pLine: fields.rightsLine(ERNNode.preferred(edition.children("PLine"), language: fields.language), textElement: "PLineText"),
            language: language, declaredDuration: duration
        )
    }

    /// `File{URI, HashSum{Algorithm, …, DataType?, HashSumValue}}`.
    private func resourceFile(_ file: ERNNode) -> ResourceFile? {
        guard let uri = file.child("URI"), !uri.text.isEmpty else {
            log.missing("URI", in: file)
            return nil
        }
        guard let path = fields.packagePath(uri.text, uri) else { return nil }
        let hash = file.child("HashSum").flatMap {
            fields.hashSum(algorithm: $0.child("Algorithm"), value: $0.child("HashSumValue"),
                           dataType: $0.text("DataType"), in: $0)
        }
        return ResourceFile(path: path, declaredHash: hash)
    }

    private func cover(_ image: ERNNode) -> ImageResource? {
        guard let file = image.all("TechnicalDetails", "File").first else {
            log.warning(.masterERNMissing, image, "the FrontCoverImage names no TechnicalDetails/File; the release has no cover file")
            return nil
        }
        return resourceFile(file).map { ImageResource(type: "FrontCoverImage", file: $0) }
    }

    /// Deals of `ReleaseDeal`s that name the main release apply to the whole release; deals that name only
    /// TrackReleases apply to those tracks (`Deal.trackISRCs`).
    private func readDeals(mainReference: String?, resourceByTrackRelease: [String: ERNNode],
                           isrcByResource: [String: ISRC]) -> [Deal]
    {
        guard let list = root.child("DealList") else { return [] }
        var deals: [Deal] = []
        for releaseDeal in list.children("ReleaseDeal") {
            let references = releaseDeal.children("DealReleaseReference")
            var isrcs: [ISRC] = []
            var wholeRelease = false
            for reference in references {
                if reference.text == mainReference {
                    wholeRelease = true
                } else if let resource = resourceByTrackRelease[reference.text] {
                    if let isrc = isrcByResource[resource.text] { isrcs.append(isrc) }
                } else {
                    log.error(.masterERNReferenceUnknown, reference,
                              "'\(reference.text)' is neither the main release nor a TrackRelease")
                }
            }
            if references.isEmpty { log.missing("DealReleaseReference", in: releaseDeal) }
            if !wholeRelease && isrcs.isEmpty { continue }
            for deal in releaseDeal.children("Deal") {
                guard let terms = deal.child("DealTerms") else {
                    log.warning(.masterERNIgnored, deal, "a Deal without DealTerms (communicated out of band) is skipped")
                    continue
                }
                deals += fields.deals(terms: terms, useTypes: terms.children("UseType"),
                                      trackISRCs: wholeRelease ? [] : isrcs)
            }
        }
        return deals
    }
}
