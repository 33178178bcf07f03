import DDEXModel
import XMLSupport

/// Writes ERN 4.3 NewReleaseMessage and PurgeReleaseMessage (namespace `http://ddex.net/xml/ern/43`).
///
/// Element order follows the 4.3 XSD sequences (ERN.md §2); the shape is the Audio-profile skeleton of
/// ERN.md §9. The root carries `AvsVersionId` and `LanguageAndScriptCode` and never
/// `MessageSchemaVersionId` (pitfall 1). Only the root is namespace-qualified.
public struct ERN43Writer: Sendable {
    public static let namespace = "http://ddex.net/xml/ern/43"
    public static let schemaLocation = "http://ddex.net/xml/ern/43 http://ddex.net/xml/ern/43/release-notification.xsd"

    /// The version of the AVS file the message is validated against (the shipped ern43 folder holds AVS 3).
    public var avsVersionId: String

    /// A writer stamping messages with `avsVersionId`: it must name the AVS the shipped XSDs import.
    public init(avsVersionId: String = "3") {
        self.avsVersionId = avsVersionId
    }

    // MARK: - NewReleaseMessage

    /// Writes the whole message as one document (parties, resources, releases, deals in the XSD's order) to `w`;
    /// the caller finishes `w`, which is where write errors surface.
    public func write(_ m: ERNNewReleaseMessage, to w: XMLStreamWriter) {
        w.startDocument()
        w.startElement("ern:NewReleaseMessage")
        w.attribute("xmlns:ern", Self.namespace)
        w.attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        w.attribute("xsi:schemaLocation", Self.schemaLocation)
        w.attribute("ReleaseProfileVersionId", "Audio")
        w.attribute("LanguageAndScriptCode", m.languageAndScriptCode)
        w.attribute("AvsVersionId", avsVersionId)

        w.messageHeader(m.header)

        partyList(m.parties, to: w)

        w.startElement("ResourceList")
        let provided = m.resourcesProvided ? "true" : "false"
        for r in m.soundRecordings { soundRecording(r, provided: provided, to: w) }
        for i in m.images { image(i, provided: provided, to: w) }
        w.endElement()

        w.startElement("ReleaseList")
        mainRelease(m.release, sender: m.header.sender.dpid, to: w)
        for t in m.trackReleases { trackRelease(t, to: w) }
        w.endElement()

        // A takedown sends no DealList at all: "no deal = no deal" (ERN.md §4-5).
        if !m.releaseDeals.isEmpty { dealList(m.releaseDeals, to: w) }
        w.endElement()
    }

    private func partyList(_ parties: [ERNParty], to w: XMLStreamWriter) {
        w.startElement("PartyList")
        for p in parties {
            w.startElement("Party")
            w.element("PartyReference", p.reference)
            w.startElement("PartyName")
            w.element("FullName", p.name)
            w.endElement()
            if let isni = p.isni {
                w.startElement("PartyId")
                w.element("ISNI", isni.value)
                w.endElement()
            }
            w.endElement()
        }
        w.endElement()
    }

    private func dealList(_ releaseDeals: [ERNReleaseDeal], to w: XMLStreamWriter) {
        w.startElement("DealList")
        for rd in releaseDeals {
            w.startElement("ReleaseDeal")
            for ref in rd.releaseReferences { w.element("DealReleaseReference", ref) }
            for d in rd.deals {
                w.startElement("Deal")
                w.startElement("DealTerms")
                w.territories(d.territories)
                w.validityPeriod(start: d.start, end: d.end)
                for cm in d.commercialModels { w.element("CommercialModelType", cm) }
                for u in d.useTypes { w.element("UseType", u) }
                w.endElement()
                w.endElement()
            }
            w.endElement()
        }
        w.endElement()
    }

    // MARK: - PurgeReleaseMessage

    /// Writes the PurgeReleaseMessage (the release named by its ids and title) as one document to `w`.
    public func write(_ m: ERNPurgeReleaseMessage, to w: XMLStreamWriter) {
        w.startDocument()
        w.startElement("ern:PurgeReleaseMessage")
        w.attribute("xmlns:ern", Self.namespace)
        w.attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        w.attribute("xsi:schemaLocation", Self.schemaLocation)
        w.attribute("LanguageAndScriptCode", m.languageAndScriptCode)
        w.attribute("AvsVersionId", avsVersionId)
        w.messageHeader(m.header)
        w.startElement("PurgedRelease")
        w.releaseId(m.releaseId, sender: m.header.sender.dpid)
        w.startElement("Title")
        w.element("TitleText", m.title)
        w.element("SubTitle", ifPresent: m.subtitle)
        w.endElement()
        w.endElement()
        w.endElement()
    }

    // MARK: - Parts

    private func displayTitle(_ title: String, _ subtitle: String?, to w: XMLStreamWriter) {
        w.element("DisplayTitleText", ERNFormat.fullTitle(title, subtitle))
        w.startElement("DisplayTitle")
        w.element("TitleText", title)
        w.element("SubTitle", ifPresent: subtitle)
        w.endElement()
    }

    private func displayArtists(_ name: String, _ credits: [ERNCredit], to w: XMLStreamWriter) {
        w.element("DisplayArtistName", name)
        for c in credits {
            w.startElement("DisplayArtist")
            w.attribute("SequenceNumber", String(c.sequence))
            w.element("ArtistPartyReference", c.partyReference)
            w.element("DisplayArtistRole", c.role)
            w.endElement()
        }
    }

    private func genre(_ genre: String, _ subGenre: String?, to w: XMLStreamWriter) {
        w.startElement("Genre")
        w.element("GenreText", genre)
        w.element("SubGenre", ifPresent: subGenre)
        w.endElement()
    }

    private func file(_ f: ERNDeliveredFile, to w: XMLStreamWriter) {
        w.startElement("File")
        w.element("URI", f.uri)
        if let hash = f.hashSum {
            w.startElement("HashSum")
            w.element("Algorithm", hash.algorithm.rawValue)
            w.element("HashSumValue", hash.hex)
            w.endElement()
        }
        w.element("FileSize", String(f.size))
        w.endElement()
    }

    private func soundRecording(_ r: ERNSoundRecording, provided: String, to w: XMLStreamWriter) {
        w.startElement("SoundRecording")
        w.element("ResourceReference", r.reference)
        w.element("Type", "MusicalWorkSoundRecording")
        w.startElement("SoundRecordingEdition")
        w.startElement("ResourceId")
        w.element("ISRC", r.isrc.value)
        w.endElement()
        if let p = r.pLine { w.rightsLine("PLine", textElement: "PLineText", p) }
        w.startElement("TechnicalDetails")
        w.element("TechnicalResourceDetailsReference", r.file.technicalReference)
        w.startElement("DeliveryFile")
        w.element("Type", "AudioFile")
        // FLAC is a codec, not a container in the AVS; WAV is a container holding PCM.
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
        w.element("IsProvidedInDelivery", provided)
        w.endElement()
        w.endElement()
        w.endElement()
        if let iswc = r.iswc {
            w.startElement("WorkId")
            w.element("ISWC", iswc.value)
            w.endElement()
        }
        displayTitle(r.title, r.subtitle, to: w)
        displayArtists(r.displayArtistName, r.displayArtists, to: w)
        for c in r.contributors {
            w.startElement("Contributor")
            w.attribute("SequenceNumber", String(c.sequence))
            w.element("ContributorPartyReference", c.partyReference)
            w.element("Role", c.role)
            w.endElement()
        }
        w.element("Duration", r.duration.iso8601)
        w.element("ParentalWarningType", r.parentalWarning)
        w.endElement()
    }

    private func image(_ i: ERNImage, provided: String, to w: XMLStreamWriter) {
        w.startElement("Image")
        w.element("ResourceReference", i.reference)
        w.element("Type", i.type)
        w.startElement("ResourceId")
        w.element("ProprietaryId", attributes: ["Namespace": i.proprietaryId.namespace], i.proprietaryId.value)
        w.endElement()
        w.startElement("TechnicalDetails")
        w.element("TechnicalResourceDetailsReference", i.file.technicalReference)
        w.element("ImageCodecType", i.image.codec.rawValue)
        w.element("ImageHeight", attributes: ["UnitOfMeasure": "Pixel"], String(i.image.height))
        w.element("ImageWidth", attributes: ["UnitOfMeasure": "Pixel"], String(i.image.width))
        file(i.file, to: w)
        w.element("IsProvidedInDelivery", provided)
        w.endElement()
        w.endElement()
    }

    private func mainRelease(_ r: ERNMainRelease, sender: String, to w: XMLStreamWriter) {
        w.startElement("Release")
        w.element("ReleaseReference", r.reference)
        w.element("ReleaseType", r.releaseType)
        w.releaseId(r.releaseId, sender: sender)
        displayTitle(r.title, r.subtitle, to: w)
        displayArtists(r.displayArtistName, r.displayArtists, to: w)
        w.element("ReleaseLabelReference", r.labelReference)
        if let p = r.pLine { w.rightsLine("PLine", textElement: "PLineText", p) }
        if let c = r.cLine { w.rightsLine("CLine", textElement: "CLineText", c) }
        if let d = r.duration { w.element("Duration", d.iso8601) }
        genre(r.genre, r.subGenre, to: w)
        if let d = r.releaseDate { w.element("ReleaseDate", d.description) }
        if let d = r.originalReleaseDate { w.element("OriginalReleaseDate", d.description) }
        w.element("ParentalWarningType", r.parentalWarning)
        w.startElement("ResourceGroup")
        if r.discs.count <= 1 {
            w.element("SequenceNumber", 1)
            for (i, ref) in (r.discs.first?.resourceReferences ?? []).enumerated() { contentItem(i + 1, ref, to: w) }
        } else {
            // One Component sub-group per disc.
            for disc in r.discs {
                w.startElement("ResourceGroup")
                w.attribute("ResourceGroupType", "Component")
                w.element("SequenceNumber", disc.number)
                for (i, ref) in disc.resourceReferences.enumerated() { contentItem(i + 1, ref, to: w) }
                w.endElement()
            }
        }
        for ref in r.linkedResourceReferences { w.element("LinkedReleaseResourceReference", ref) }
        w.endElement()
        w.endElement()
    }

    private func contentItem(_ sequence: Int, _ ref: String, to w: XMLStreamWriter) {
        w.startElement("ResourceGroupContentItem")
        w.element("SequenceNumber", sequence)
        w.element("ReleaseResourceReference", ref)
        w.endElement()
    }

    private func trackRelease(_ t: ERNTrackRelease, to w: XMLStreamWriter) {
        w.startElement("TrackRelease")
        w.element("ReleaseReference", t.reference)
        w.startElement("ReleaseId")
        w.element("ProprietaryId", attributes: ["Namespace": t.proprietaryId.namespace], t.proprietaryId.value)
        w.endElement()
        displayTitle(t.title, t.subtitle, to: w)
        w.element("ReleaseResourceReference", t.resourceReference)
        w.element("ReleaseLabelReference", t.labelReference)
        genre(t.genre, t.subGenre, to: w)
        w.endElement()
    }
}
