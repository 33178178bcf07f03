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

    func map() -> Release? {
        let resourceList = root.child("ResourceList")
        if resourceList == nil { log.missing("ResourceList", in: root) }
        let recordings = log.indexByResourceReference(resourceList?.children("SoundRecording") ?? [])
        let images = log.indexByResourceReference(resourceList?.children("Image") ?? [])
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

        // Track releases: reference → their primary resources, and genre per resource.
        var resourcesByTrackRelease: [String: [String]] = [:]
        var genreByResource: [String: String] = [:]
        for release in releases where release.path != main.path && isTrackRelease(release) {
            let resources = release.all("ReleaseResourceReferenceList", "ReleaseResourceReference").map(\.text)
            for reference in release.children("ReleaseReference") {
                resourcesByTrackRelease[reference.text] = resources
            }
            if let genre = byTerritory(release.children("ReleaseDetailsByTerritory")).flatMap({
                ERNNode.preferred($0.children("Genre"), language: fields.language)?.text("GenreText")
            }) {
                for resource in resources { genreByResource[resource] = genre }
            }
        }

        // Track order: the ResourceGroup of the release details, else the resource reference list.
        let slots: [MasterERNFields.Slot]
        if let group = details?.child("ResourceGroup") {
            slots = fields.trackSlots(group)
        } else {
            slots = main.all("ReleaseResourceReferenceList", "ReleaseResourceReference")
                .filter { recordings[$0.text] != nil }
                .enumerated().map { MasterERNFields.Slot(disc: 1, number: $0.offset + 1, reference: $0.element) }
        }
        let releaseWarning = details.flatMap { ERNNode.preferred($0.children("ParentalWarningType")) }
        var tracks: [Track] = []
        var isrcByResource: [String: ISRC] = [:]
        for slot in slots {
            guard let recording = recordings[slot.reference.text] else {
                if images[slot.reference.text] != nil || resourceList?.element.children.contains(where: {
                    $0.child("ResourceReference")?.trimmedText == slot.reference.text
                }) == true {
                    log.warning(.masterERNIgnored, slot.reference, "resource '\(slot.reference.text)' is not a SoundRecording; ddexd delivers audio tracks only and skips it")
                } else {
                    log.error(.masterERNReferenceUnknown, slot.reference, "'\(slot.reference.text)' is not a ResourceReference in ResourceList")
                }
                continue
            }
            guard let track = track(recording, slot: slot, genre: genreByResource[slot.reference.text],
                                    releaseWarning: releaseWarning?.text)
            else { continue }
            isrcByResource[slot.reference.text] = track.isrc
            tracks.append(track)
        }

        // Cover: a FrontCoverImage among the release's resources, else any.
        let releaseResources = main.all("ReleaseResourceReferenceList", "ReleaseResourceReference").map(\.text)
            + (details?.child("ResourceGroup").map(fields.linkedReferences) ?? [])
        let isCover = { (image: ERNNode) in image.text("ImageType") == "FrontCoverImage" }
        let coverNode = releaseResources.compactMap { images[$0] }.first(where: isCover)
            ?? images.values.sorted { $0.line < $1.line }.first(where: isCover)
        let cover = coverNode.flatMap(self.cover)

        // Identifiers (every ReleaseId of the main release).
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

        // Descriptive fields.
        let (title, subtitle) = referenceTitle(main)
        let artists = details.map(displayArtists) ?? []
        let displayArtist = details.flatMap { ERNNode.preferred($0.children("DisplayArtistName"), language: fields.language) }
        if displayArtist == nil { log.missing("DisplayArtistName", in: details ?? main) }
        let label = details.flatMap { ERNNode.preferred($0.children("LabelName"), language: fields.language) }
        if label == nil { log.missing("LabelName", in: details ?? main) }
        let genreNode = details.flatMap { ERNNode.preferred($0.children("Genre"), language: fields.language) }
        let genre = genreNode?.text("GenreText")
        if genre == nil { log.missing("Genre/GenreText", in: details ?? main) }
        let typeNodes = main.children("ReleaseType") + (details?.children("ReleaseType") ?? [])
        var releaseType = ""
        if let typeNode = typeNodes.first(where: { $0.text != "UserDefined" }) ?? typeNodes.first {
            if log.allowed(typeNode, in: AllowedValues.releaseTypes, "ReleaseType") { releaseType = typeNode.text }
        } else {
            log.missing("ReleaseType", in: main)
        }
        var parentalWarning = "NoAdviceAvailable"
        if let releaseWarning {
            if log.allowed(releaseWarning, in: AllowedValues.parentalWarningTypes, "ParentalWarningType") {
                parentalWarning = releaseWarning.text
            }
        } else {
            log.warning(.masterERNMissing, details ?? main, "ParentalWarningType is missing; NoAdviceAvailable is assumed")
        }
        let pLine = ERNNode.preferred(main.children("PLine") + (details?.children("PLine") ?? []), language: fields.language)
        let cLine = ERNNode.preferred(main.children("CLine") + (details?.children("CLine") ?? []), language: fields.language)
        // ERN 3.8.2's LanguageAndScriptCode is free text: a value that is no language tag is only a warning.
        let language = fields.language.flatMap { code -> LanguageTag? in
            let tag = try? LanguageTag(validating: code)
            if tag == nil { log.warning(.languageInvalid, root, "LanguageAndScriptCode '\(code)' is not a language tag; the release has no language") }
            return tag
        }

        let mainReferences = Set(main.children("ReleaseReference").map(\.text))
        let (deals, takedown) = readDeals(mainReferences: mainReferences, resourcesByTrackRelease: resourcesByTrackRelease,
                                          isrcByResource: isrcByResource)
        return Release(
            icpn: icpn, grid: grid, catalogNumber: catalogNumber, proprietaryIds: proprietaryIds,
            title: title, subtitle: subtitle, displayArtist: displayArtist?.text ?? artists.map(\.name).joined(separator: ", "),
            artists: artists, label: label?.text ?? "",
            pLine: fields.rightsLine(pLine, textElement: "PLineText"),
            cLine: fields.rightsLine(cLine, textElement: "CLineText"),
            genre: genre ?? "", subGenre: genreNode?.text("SubGenre"), releaseType: releaseType,
            releaseDate: fields.date(main.child("GlobalReleaseDate") ?? details?.child("ReleaseDate")),
            originalReleaseDate: fields.date(main.child("GlobalOriginalReleaseDate") ?? details?.child("OriginalReleaseDate")),
            parentalWarning: parentalWarning, language: language, cover: cover, tracks: tracks, deals: deals,
            takedown: takedown
        )
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
