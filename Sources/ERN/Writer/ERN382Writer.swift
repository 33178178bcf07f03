import DDEXModel
import XMLSupport

/// Writes ERN 3.8.2 NewReleaseMessage and PurgeReleaseMessage (namespace `http://ddex.net/xml/ern/382`).
///
/// The differences from 4.3 (ERN.md §7): no PartyList (artists inline by name), per-territory details
/// blocks (`…DetailsByTerritory` for `Worldwide`), `ReferenceTitle`, the ISRC before `ResourceReference`,
/// `File{FileName, FilePath, HashSum{HashSum, HashSumAlgorithmType}}` with no file size, track releases as
/// `Release` elements with `ReleaseType=TrackRelease`, and `Usage/UseType` inside `DealTerms`.
/// Values the 3.8.2 AVS lacks (some 4.3 use types and contributor roles) are written as `UserDefined`
/// with the original value in `@UserDefinedValue`.
public struct ERN382Writer: Sendable {
    public static let namespace = "http://ddex.net/xml/ern/382"
    public static let schemaLocation = "http://ddex.net/xml/ern/382 http://ddex.net/xml/ern/382/release-notification.xsd"
    public static let messageSchemaVersionId = "ern/382"

    /// `ReleaseProfileVersionId` written on NewReleaseMessages (ERN.md §1; Release Profile 1.3 goes with ERN 3.8).
    public var releaseProfileVersionId: String

    /// A writer stamping NewReleaseMessages with `releaseProfileVersionId` (the Audio Album profile by default).
    public init(releaseProfileVersionId: String = "CommonReleaseTypes/14/AudioAlbumMusicOnly") {
        self.releaseProfileVersionId = releaseProfileVersionId
    }

    // MARK: - NewReleaseMessage

    /// Writes the whole message as one ERN 3.8.2 document to `w` (the 4.3 model mapped as described above); the
    /// caller finishes `w`, which is where write errors surface.
    public func write(_ m: ERNNewReleaseMessage, to w: XMLStreamWriter) {
        w.startDocument()
        w.startElement("ern:NewReleaseMessage")
        w.attribute("xmlns:ern", Self.namespace)
        w.attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        w.attribute("xsi:schemaLocation", Self.schemaLocation)
        w.attribute("MessageSchemaVersionId", Self.messageSchemaVersionId)
        w.attribute("ReleaseProfileVersionId", releaseProfileVersionId)
        w.attribute("LanguageAndScriptCode", m.languageAndScriptCode)
        w.messageHeader(m.header)

        let names = Dictionary(m.parties.map { ($0.reference, $0.name) }, uniquingKeysWith: { a, _ in a })
        w.startElement("ResourceList")
        for r in m.soundRecordings { soundRecording(r, names: names, labelName: m.release.labelName, to: w) }
        for i in m.images { image(i, to: w) }
        w.endElement()

        w.startElement("ReleaseList")
        mainRelease(m.release, images: m.images, names: names, sender: m.header.sender.dpid, to: w)
        for t in m.trackReleases {
            trackRelease(t, names: names, labelName: m.release.labelName, to: w)
        }
        w.endElement()

        // A takedown sends no DealList at all (ERN.md §4-5); `TakeDown=true` is deprecated.
        if !m.releaseDeals.isEmpty {
            w.startElement("DealList")
            for rd in m.releaseDeals {
                w.startElement("ReleaseDeal")
                for ref in rd.releaseReferences { w.element("DealReleaseReference", ref) }
                for d in rd.deals {
                    w.startElement("Deal")
                    w.startElement("DealTerms")
                    for cm in d.commercialModels { w.element("CommercialModelType", cm) }
                    w.startElement("Usage")
                    for u in d.useTypes { avsValue("UseType", u, allowed: Self.useTypes, to: w) }
                    w.endElement()
                    w.territories(d.territories)
                    w.validityPeriod(start: d.start, end: d.end)
                    w.endElement()
                    w.endElement()
                }
                w.endElement()
            }
            w.endElement()
        }
        w.endElement()
    }

    // MARK: - PurgeReleaseMessage

    /// Writes the PurgeReleaseMessage (the release named by its ids and title) as one ERN 3.8.2 document to `w`.
    public func write(_ m: ERNPurgeReleaseMessage, to w: XMLStreamWriter) {
        w.startDocument()
        w.startElement("ern:PurgeReleaseMessage")
        w.attribute("xmlns:ern", Self.namespace)
        w.attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        w.attribute("xsi:schemaLocation", Self.schemaLocation)
        w.attribute("MessageSchemaVersionId", Self.messageSchemaVersionId)
        w.attribute("LanguageAndScriptCode", m.languageAndScriptCode)
        w.messageHeader(m.header)
        w.startElement("PurgedRelease")
        w.releaseId(m.releaseId, sender: m.header.sender.dpid)
        w.startElement("Title")
        w.attribute("TitleType", "DisplayTitle")
        w.element("TitleText", m.title)
        w.element("SubTitle", ifPresent: m.subtitle)
        w.endElement()
        w.endElement()
        w.endElement()
    }

    // MARK: - Parts

    private func referenceTitle(_ title: String, _ subtitle: String?, to w: XMLStreamWriter) {
        w.startElement("ReferenceTitle")
        w.element("TitleText", title)
        w.element("SubTitle", ifPresent: subtitle)
        w.endElement()
    }

    private func titles(_ title: String, _ subtitle: String?, to w: XMLStreamWriter) {
        for type in ["DisplayTitle", "FormalTitle"] {
            w.startElement("Title")
            w.attribute("TitleType", type)
            w.element("TitleText", title)
            w.element("SubTitle", ifPresent: subtitle)
            w.endElement()
        }
    }

    private func artists(_ credits: [ERNCredit], names: [String: String], to w: XMLStreamWriter) {
        for c in credits {
            w.startElement("DisplayArtist")
            w.attribute("SequenceNumber", String(c.sequence))
            w.startElement("PartyName")
            w.element("FullName", names[c.partyReference] ?? c.partyReference)
            w.endElement()
            w.element("ArtistRole", c.role)
            w.endElement()
        }
    }

    private func genre(_ genre: String, _ subGenre: String?, to w: XMLStreamWriter) {
        w.startElement("Genre")
        w.element("GenreText", genre)
        w.element("SubGenre", ifPresent: subGenre)
        w.endElement()
    }

    /// An AVS-typed element: the value itself, or `UserDefined` + `@UserDefinedValue` when 3.8.2 lacks it.
    private func avsValue(_ name: String, _ value: String, allowed: Set<String>, to w: XMLStreamWriter) {
        if allowed.contains(value) {
            w.element(name, value)
        } else {
            w.element(name, attributes: ["UserDefinedValue": value], "UserDefined")
        }
    }

    private func file(_ f: ERNDeliveredFile, to w: XMLStreamWriter) {
        w.startElement("File")
        w.element("FileName", f.fileName)
        w.element("FilePath", ifPresent: f.filePath)
        if let hash = f.hashSum {
            w.startElement("HashSum")
            w.element("HashSum", hash.hex)
            w.element("HashSumAlgorithmType", hash.algorithm.rawValue)
            w.endElement()
        }
        w.endElement()
    }

    private func soundRecording(_ r: ERNSoundRecording, names: [String: String], labelName: String, to w: XMLStreamWriter) {
        w.startElement("SoundRecording")
        w.element("SoundRecordingType", "MusicalWorkSoundRecording")
        w.startElement("SoundRecordingId")
        w.element("ISRC", r.isrc.value)
        w.endElement()
        if let iswc = r.iswc {
            w.startElement("IndirectSoundRecordingId")
            w.element("ISWC", iswc.value)
            w.endElement()
        }
        w.element("ResourceReference", r.reference)
        referenceTitle(r.title, r.subtitle, to: w)
        w.element("Duration", r.duration.iso8601)
        w.startElement("SoundRecordingDetailsByTerritory")
        w.element("TerritoryCode", "Worldwide")
        titles(r.title, r.subtitle, to: w)
        artists(r.displayArtists, names: names, to: w)
        for c in r.contributors {
            w.startElement("ResourceContributor")
            w.attribute("SequenceNumber", String(c.sequence))
            w.startElement("PartyName")
            w.element("FullName", names[c.partyReference] ?? c.partyReference)
            w.endElement()
            avsValue("ResourceContributorRole", c.role, allowed: Self.resourceContributorRoles, to: w)
            w.endElement()
        }
        w.element("DisplayArtistName", r.displayArtistName)
        w.element("LabelName", labelName)
        if let p = r.pLine { w.rightsLine("PLine", textElement: "PLineText", p) }
        genre(r.genre, r.subGenre, to: w)
        w.element("ParentalWarningType", r.parentalWarning)
        w.startElement("TechnicalSoundRecordingDetails")
        w.element("TechnicalResourceDetailsReference", r.file.technicalReference)
        if r.audio.container.uppercased() == "WAV" { w.element("ContainerFormat", "WAV") }
        w.element("AudioCodecType", r.audio.codec.rawValue)
        w.element("NumberOfChannels", Int(r.audio.channels))
        w.startElement("SamplingRate")
        w.attribute("UnitOfMeasure", "kHz")
        w.text(ERNFormat.kilohertz(r.audio.sampleRate))
        w.endElement()
        w.element("BitsPerSample", Int(r.audio.bitsPerSample))
        w.element("Duration", r.audio.duration.iso8601)
        file(r.file, to: w)
        w.endElement()
        w.endElement()
        w.endElement()
    }

    private func image(_ i: ERNImage, to w: XMLStreamWriter) {
        w.startElement("Image")
        w.element("ImageType", i.type)
        w.startElement("ImageId")
        w.element("ProprietaryId", attributes: ["Namespace": i.proprietaryId.namespace], i.proprietaryId.value)
        w.endElement()
        w.element("ResourceReference", i.reference)
        w.startElement("ImageDetailsByTerritory")
        w.element("TerritoryCode", "Worldwide")
        w.startElement("TechnicalImageDetails")
        w.element("TechnicalResourceDetailsReference", i.file.technicalReference)
        w.element("ImageCodecType", i.image.codec.rawValue)
        w.element("ImageHeight", attributes: ["UnitOfMeasure": "Pixel"], String(i.image.height))
        w.element("ImageWidth", attributes: ["UnitOfMeasure": "Pixel"], String(i.image.width))
        file(i.file, to: w)
        w.endElement()
        w.endElement()
        w.endElement()
    }

    private func contentItem(_ sequence: Int, type: String, _ ref: String, primary: Bool, to w: XMLStreamWriter) {
        w.startElement("ResourceGroupContentItem")
        w.element("SequenceNumber", sequence)
        w.element("ResourceType", type)
        w.element("ReleaseResourceReference", attributes: ["ReleaseResourceType": primary ? "PrimaryResource" : "SecondaryResource"], ref)
        w.endElement()
    }

    private func mainRelease(_ r: ERNMainRelease, images: [ERNImage], names: [String: String], sender: String,
                             to w: XMLStreamWriter)
    {
        w.startElement("Release")
        w.attribute("IsMainRelease", "true")
        w.releaseId(r.releaseId, sender: sender)
        w.element("ReleaseReference", r.reference)
        referenceTitle(r.title, r.subtitle, to: w)
        w.startElement("ReleaseResourceReferenceList")
        for disc in r.discs {
            for ref in disc.resourceReferences {
                w.element("ReleaseResourceReference", attributes: ["ReleaseResourceType": "PrimaryResource"], ref)
            }
        }
        for ref in r.linkedResourceReferences {
            w.element("ReleaseResourceReference", attributes: ["ReleaseResourceType": "SecondaryResource"], ref)
        }
        w.endElement()
        w.element("ReleaseType", r.releaseType)
        w.startElement("ReleaseDetailsByTerritory")
        w.element("TerritoryCode", "Worldwide")
        w.element("DisplayArtistName", r.displayArtistName)
        w.element("LabelName", r.labelName)
        titles(r.title, r.subtitle, to: w)
        artists(r.displayArtists, names: names, to: w)
        w.element("ParentalWarningType", r.parentalWarning)
        // One group for the release: a sub-group per disc, then the cover as a secondary item.
        w.startElement("ResourceGroup")
        w.element("SequenceNumber", 1)
        for disc in r.discs {
            w.startElement("ResourceGroup")
            w.element("SequenceNumber", disc.number)
            for (i, ref) in disc.resourceReferences.enumerated() {
                contentItem(i + 1, type: "SoundRecording", ref, primary: true, to: w)
            }
            w.endElement()
        }
        let imageRefs = Set(images.map(\.reference))
        for (i, ref) in r.linkedResourceReferences.enumerated() where imageRefs.contains(ref) {
            contentItem(i + 1, type: "Image", ref, primary: false, to: w)
        }
        w.endElement()
        genre(r.genre, r.subGenre, to: w)
        if let p = r.pLine { w.rightsLine("PLine", textElement: "PLineText", p) }
        if let c = r.cLine { w.rightsLine("CLine", textElement: "CLineText", c) }
        if let d = r.releaseDate { w.element("ReleaseDate", d.description) }
        if let d = r.originalReleaseDate { w.element("OriginalReleaseDate", d.description) }
        w.endElement()
        if let d = r.duration { w.element("Duration", d.iso8601) }
        if let p = r.pLine { w.rightsLine("PLine", textElement: "PLineText", p) }
        if let c = r.cLine { w.rightsLine("CLine", textElement: "CLineText", c) }
        if let d = r.releaseDate { w.element("GlobalReleaseDate", d.description) }
        if let d = r.originalReleaseDate { w.element("GlobalOriginalReleaseDate", d.description) }
        w.endElement()
    }

    private func trackRelease(_ t: ERNTrackRelease, names: [String: String], labelName: String, to w: XMLStreamWriter) {
        w.startElement("Release")
        w.startElement("ReleaseId")
        w.element("ProprietaryId", attributes: ["Namespace": t.proprietaryId.namespace], t.proprietaryId.value)
        w.endElement()
        w.element("ReleaseReference", t.reference)
        referenceTitle(t.title, t.subtitle, to: w)
        w.startElement("ReleaseResourceReferenceList")
        w.element("ReleaseResourceReference", attributes: ["ReleaseResourceType": "PrimaryResource"], t.resourceReference)
        w.endElement()
        w.element("ReleaseType", "TrackRelease")
        w.startElement("ReleaseDetailsByTerritory")
        w.element("TerritoryCode", "Worldwide")
        w.element("DisplayArtistName", t.displayArtistName)
        w.element("LabelName", labelName)
        titles(t.title, t.subtitle, to: w)
        artists(t.displayArtists, names: names, to: w)
        w.element("ParentalWarningType", t.parentalWarning)
        w.startElement("ResourceGroup")
        w.element("SequenceNumber", 1)
        contentItem(1, type: "SoundRecording", t.resourceReference, primary: true, to: w)
        w.endElement()
        genre(t.genre, t.subGenre, to: w)
        w.endElement()
        w.endElement()
    }

    /// 3.8.2 AVS `UseType` values (4.3 adds Cable, Dub, DubForOnDemandStreaming, Perform and Use).
    static let useTypes: Set<String> = AllowedValues.useTypes.subtracting(["Cable", "Dub", "DubForOnDemandStreaming", "Perform", "Use"])
        .union(["AsPerContract", "DubForAdvertisement"])

    /// 3.8.2 AVS `ResourceContributorRole` values.
    static let resourceContributorRoles: Set<String> = [
        "Actor", "Architect", "Artist", "AssociatedPerformer", "Band", "BookPublisher", "Cartoonist", "Choir",
        "Choreographer", "ComputerGraphicCreator", "Conductor", "Contributor", "CostumeDesigner", "Designer", "Dubber",
        "Encoder", "Ensemble", "FeaturedArtist", "FilmDirector", "FilmDistributor", "FilmEditor", "FilmProducer",
        "FilmSoundEngineer", "GraphicArtist", "GraphicDesigner", "Journalist", "MainArtist", "Member", "Narrator",
        "NewspaperPublisher", "Orchestra", "Painter", "PeriodicalPublisher", "Photographer", "PhotographyDirector",
        "PlaybackSinger", "PrimaryMusician", "Producer", "Programmer", "RightsControllerOnProduct", "ScreenplayAuthor",
        "SetDesigner", "Soloist", "StageDirector", "StudioPersonnel", "SubtitlesEditor", "SubtitlesTranslator", "Unknown",
        "UserDefined", "VoiceActor", "MusicDirector",
    ]
}
