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

    private struct Party {
        var name: String?
        var isni: ISNI?
    }

    func map() -> Release? {
        let parties = readParties()
        let resourceList = root.child("ResourceList")
        if resourceList == nil { log.missing("ResourceList", in: root) }
        let recordings = log.indexByResourceReference(resourceList?.children("SoundRecording") ?? [])
        let images = log.indexByResourceReference(resourceList?.children("Image") ?? [])

        guard let releaseList = root.child("ReleaseList") else {
            log.missing("ReleaseList", in: root)
            return nil
        }
        guard let main = releaseList.child("Release") else {
            log.missing("Release", in: releaseList, "the master ERN must describe its main release")
            return nil
        }
        let trackReleases = releaseList.children("TrackRelease")

        func party(_ node: ERNNode?, _ role: String) -> Party? {
            guard let node else { return nil }
            guard let party = parties[node.text] else {
                log.error(.masterERNReferenceUnknown, node, "\(role) '\(node.text)' is not a PartyReference in PartyList")
                return nil
            }
            return party
        }

        func artists(of node: ERNNode) -> [Artist] {
            let sorted = node.children("DisplayArtist").enumerated().sorted {
                ($0.element.sequenceNumber ?? Int.max, $0.offset) < ($1.element.sequenceNumber ?? Int.max, $1.offset)
            }.map(\.element)
            return sorted.compactMap { artist in
                guard let reference = artist.child("ArtistPartyReference") else {
                    log.missing("ArtistPartyReference", in: artist)
                    return nil
                }
                guard let resolved = party(reference, "ArtistPartyReference") else { return nil }
                guard let name = resolved.name else {
                    log.error(.masterERNMissing, reference, "party '\(reference.text)' has no PartyName/FullName")
                    return nil
                }
                var role = "MainArtist"
                if let roleNode = artist.child("DisplayArtistRole") {
                    if log.allowed(roleNode, in: AllowedValues.displayArtistRoles, "DisplayArtistRole") { role = roleNode.text }
                } else {
                    log.missing("DisplayArtistRole", in: artist)
                }
                return Artist(name: name, role: role, isni: resolved.isni)
            }
        }

        func displayArtistName(of node: ERNNode, artists: [Artist]) -> String {
            if let name = ERNNode.preferred(node.children("DisplayArtistName"), language: fields.language), !name.text.isEmpty {
                return name.text
            }
            log.missing("DisplayArtistName", in: node)
            return artists.map(\.name).joined(separator: ", ")
        }

        // MARK: Tracks

        var genreByResource: [String: (String, String?)] = [:]
        var resourceByTrackRelease: [String: ERNNode] = [:]
        for trackRelease in trackReleases {
            guard let reference = trackRelease.text("ReleaseReference") else {
                log.missing("ReleaseReference", in: trackRelease)
                continue
            }
            guard let resource = trackRelease.child("ReleaseResourceReference") else {
                log.missing("ReleaseResourceReference", in: trackRelease)
                continue
            }
            resourceByTrackRelease[reference] = resource
            if let genre = ERNNode.preferred(trackRelease.children("Genre"), language: fields.language),
               let text = genre.text("GenreText")
            {
                genreByResource[resource.text] = (text, genre.text("SubGenre"))
            }
        }

        var tracks: [Track] = []
        var isrcByResource: [String: ISRC] = [:]
        var cover: ImageResource?
        var coverReference: String?
        let group = main.child("ResourceGroup")
        if group == nil { log.missing("ResourceGroup", in: main, "it lists the tracks") }
        for slot in group.map(fields.trackSlots) ?? [] {
            let reference = slot.reference.text
            guard let recording = recordings[reference] else {
                if images[reference] != nil || resourceList?.element.children.contains(where: {
                    $0.child("ResourceReference")?.trimmedText == reference
                }) == true {
                    log.warning(.masterERNIgnored, slot.reference, "resource '\(reference)' is not a SoundRecording; ddexd delivers audio tracks only and skips it")
                } else {
                    log.error(.masterERNReferenceUnknown, slot.reference, "'\(reference)' is not a ResourceReference in ResourceList")
                }
                continue
            }
            guard let track = track(recording, slot: slot, genre: genreByResource[reference], party: party,
                                    artists: artists, displayArtistName: displayArtistName)
            else { continue }
            isrcByResource[reference] = track.isrc
            tracks.append(track)
        }
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
        if let coverReference, let image = images[coverReference] {
            cover = self.cover(image)
        }

        // MARK: Release

        let ids = main.child("ReleaseId")
        if ids == nil { log.missing("ReleaseId", in: main) }
        let icpn = log.validated(ids?.child("ICPN"), ICPN.init(validating:))
        let grid = log.validated(ids?.child("GRid"), GRid.init(validating:))
        let catalogNumber = ids?.text("CatalogNumber")
        let proprietaryIds = (ids?.children("ProprietaryId") ?? []).map {
            ProprietaryId(namespace: $0.attribute("Namespace") ?? "", value: $0.text)
        }
        if let ids, ids.element.children.isEmpty { log.missing("ICPN, GRid, CatalogNumber or ProprietaryId", in: ids) }

        let (title, subtitle) = title(of: main)
        let releaseArtists = artists(of: main)
        let label: String = {
            let labels = main.children("ReleaseLabelReference")
            guard let node = ERNNode.preferred(labels, language: fields.language) else {
                log.missing("ReleaseLabelReference", in: main)
                return ""
            }
            return party(node, "ReleaseLabelReference")?.name ?? ""
        }()
        let genreNode = ERNNode.preferred(main.children("Genre"), language: fields.language)
        let genre = genreNode?.text("GenreText")
        if genre == nil { log.missing("Genre/GenreText", in: main) }

        var releaseType = ""
        let types = main.children("ReleaseType")
        if let typeNode = types.first(where: { $0.text != "UserDefined" }) ?? types.first {
            if log.allowed(typeNode, in: AllowedValues.releaseTypes, "ReleaseType") { releaseType = typeNode.text }
        } else {
            log.missing("ReleaseType", in: main)
        }

        var language: LanguageTag?
        if let code = fields.language {
            language = try? LanguageTag(validating: code)
            if language == nil {
                log.warning(.languageInvalid, root, "LanguageAndScriptCode '\(code)' is not a language tag; the release has no language")
            }
        }

        let deals = readDeals(mainReference: main.text("ReleaseReference"), resourceByTrackRelease: resourceByTrackRelease,
                              isrcByResource: isrcByResource)

        return Release(
            icpn: icpn, grid: grid, catalogNumber: catalogNumber, proprietaryIds: proprietaryIds,
            title: title, subtitle: subtitle, displayArtist: displayArtistName(of: main, artists: releaseArtists),
            artists: releaseArtists, label: label,
            pLine: fields.rightsLine(ERNNode.preferred(main.children("PLine"), language: fields.language), textElement: "PLineText"),
            cLine: fields.rightsLine(ERNNode.preferred(main.children("CLine"), language: fields.language), textElement: "CLineText"),
            genre: genre ?? "", subGenre: genreNode?.text("SubGenre"), releaseType: releaseType,
            releaseDate: fields.date(ERNNode.preferred(main.children("ReleaseDate"))),
            originalReleaseDate: fields.date(ERNNode.preferred(main.children("OriginalReleaseDate"))),
            parentalWarning: parentalWarning(of: main) ?? "NoAdviceAvailable", language: language, cover: cover,
            tracks: tracks, deals: deals
        )
    }

    // MARK: Parts

    private func readParties() -> [String: Party] {
        guard let list = root.child("PartyList") else {
            log.missing("PartyList", in: root)
            return [:]
        }
        var parties: [String: Party] = [:]
        for node in list.children("Party") {
            guard let reference = node.text("PartyReference") else {
                log.missing("PartyReference", in: node)
                continue
            }
            let isni = log.validated(node.all("PartyId", "ISNI").first, ISNI.init(validating:))
            parties[reference] = Party(name: fields.partyNameText(node), isni: isni)
        }
        return parties
    }

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
                       party: (ERNNode?, String) -> Party?, artists: (ERNNode) -> [Artist],
                       displayArtistName: (ERNNode, [Artist]) -> String) -> Track?
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
        let trackArtists = artists(recording)
        let contributors: [Contributor] = recording.children("Contributor").flatMap { contributor -> [Contributor] in
            guard let reference = contributor.child("ContributorPartyReference") else {
                log.missing("ContributorPartyReference", in: contributor)
                return []
            }
            guard let resolved = party(reference, "ContributorPartyReference"), let name = resolved.name else { return [] }
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
            isrc: isrc, title: title, subtitle: subtitle, displayArtist: displayArtistName(recording, trackArtists),
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
