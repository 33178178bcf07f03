import DDEXModel

/// Checks what the ERN XSDs cannot: referential integrity and the Audio release-profile rules
/// (ERN.md §2.2, §6, pitfall 5). Run on every message before it is written.
///
/// Rules: local references are well-formed and unique; every P/A/R/T reference resolves; no ISRC appears
/// twice; exactly one FrontCoverImage; exactly one TrackRelease per SoundRecording, each pointing at a
/// SoundRecording; display artists present and sequenced 1…n; the main release has an identifier; every
/// deal has territories, a commercial model, a use type and a start date not after its end date.
/// A takedown (no deals) is valid.
public enum ERNSemanticChecker {
    /// Every rule above that `m` breaks, located in `<MessageId>.xml`; empty when the message may be sent.
    public static func check(_ m: ERNNewReleaseMessage) -> [Problem] {
        var run = SemanticCheck(m)
        run.checkDeclarations()
        run.checkResources()
        run.checkMainRelease()
        run.checkTrackReleases()
        run.checkDeals()
        return run.problems
    }

    /// `X[\d\-_a-zA-Z]+` for prefix X (the ERN 4.3 local anchor patterns).
    static func isWellFormed(_ ref: String, prefix: Character) -> Bool {
        var utf8 = ref.utf8.makeIterator()
        guard let first = utf8.next(), first == prefix.asciiValue else { return false }
        var count = 0
        while let b = utf8.next() {
            count += 1
            let ok = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
            if !ok { return false }
        }
        return count > 0
    }
}

/// One run of `ERNSemanticChecker.check` over one message: the problems found so far and the references
/// declared. The checks run in document order, so problems come in the order of the places they name.
private struct SemanticCheck {
    let m: ERNNewReleaseMessage
    /// `<MessageId>.xml`, the file every place is in.
    let file: String
    var problems: [Problem] = []
    /// One set serves every kind: a well-formed reference starts with its kind's letter, so references of
    /// different kinds never compare equal.
    var declared: Set<String>

    init(_ m: ERNNewReleaseMessage) {
        self.m = m
        file = "\(m.header.messageId).xml"
        declared = Set<String>(minimumCapacity: 4 * (m.soundRecordings.count + m.images.count) + m.parties.count + 8)
    }

    // Places are autoclosures: building them eagerly (string interpolation per element) cost more
    // than all the checks together on a clean message.
    mutating func error(_ code: ProblemCode, _ place: @autoclosure () -> String, _ message: @autoclosure () -> String) {
        problems.append(.error(code, at: "\(file): \(place())", message()))
    }

    mutating func declare(_ ref: String, _ kind: Character, _ place: @autoclosure () -> String) {
        if !ERNSemanticChecker.isWellFormed(ref, prefix: kind) {
            error(.ernReferenceMalformed, place(), "reference \(ref) does not match the pattern \(kind)[0-9A-Za-z_-]+")
        }
        if declared.insert(ref).inserted == false {
            error(.ernReferenceDuplicate, place(), "reference \(ref) is declared twice")
        }
    }

    mutating func resolve(_ ref: String, _ kind: Character, _ place: @autoclosure () -> String) {
        if !ERNSemanticChecker.isWellFormed(ref, prefix: kind) || !declared.contains(ref) {
            error(.ernReferenceUnresolved, place(), "\(ref) does not refer to anything in the message")
        }
    }

    /// Display artists present, sequenced 1…n, each naming a declared party.
    mutating func checkArtists(_ credits: [ERNCredit], _ place: @autoclosure () -> String) {
        if credits.isEmpty { error(.ernDisplayArtistSequence, place(), "there is no DisplayArtist") }
        for (i, c) in credits.enumerated() where c.sequence != i + 1 {
            error(.ernDisplayArtistSequence, place(), "display artists must be sequenced 1…\(credits.count)")
            break
        }
        for c in credits { resolve(c.partyReference, "P", place() + "/ArtistPartyReference") }
    }

    /// Declarations: unique and well-formed; they must all be known before any reference is resolved.
    mutating func checkDeclarations() {
        for (i, p) in m.parties.enumerated() { declare(p.reference, "P", "PartyList/Party[\(i + 1)]") }
        for (i, r) in m.soundRecordings.enumerated() {
            declare(r.reference, "A", "ResourceList/SoundRecording[\(i + 1)]")
            declare(r.file.technicalReference, "T", "ResourceList/SoundRecording[\(i + 1)]/TechnicalDetails")
        }
        for (i, r) in m.images.enumerated() {
            declare(r.reference, "A", "ResourceList/Image[\(i + 1)]")
            declare(r.file.technicalReference, "T", "ResourceList/Image[\(i + 1)]/TechnicalDetails")
        }
        declare(m.release.reference, "R", "ReleaseList/Release")
        for (i, t) in m.trackReleases.enumerated() { declare(t.reference, "R", "ReleaseList/TrackRelease[\(i + 1)]") }
    }

    /// Resources: no ISRC twice, artists and contributors resolved, exactly one FrontCoverImage.
    mutating func checkResources() {
        var isrcs: [String: Int] = [:]
        for (i, r) in m.soundRecordings.enumerated() {
            func place() -> String { "ResourceList/SoundRecording[\(i + 1)]" }
            if let first = isrcs[r.isrc.value] {
                error(.ernISRCDuplicate, place(), "ISRC \(r.isrc.value) is also used by SoundRecording[\(first)]")
            } else {
                isrcs[r.isrc.value] = i + 1
            }
            checkArtists(r.displayArtists, place() + "/DisplayArtist")
            for c in r.contributors { resolve(c.partyReference, "P", place() + "/Contributor") }
        }
        let covers = m.images.filter { $0.type == "FrontCoverImage" }.count
        if covers != 1 {
            error(.ernFrontCoverCount, "ResourceList/Image", "the Audio profile needs exactly one FrontCoverImage, the message has \(covers)")
        }
    }

    /// The main release: an identifier, its artists and label, and the resources its groups name.
    mutating func checkMainRelease() {
        let release = m.release
        if release.releaseId.isEmpty {
            error(.ernReleaseIdMissing, "ReleaseList/Release/ReleaseId", "the main release has no GRid, ICPN, catalogue number or proprietary id")
        }
        checkArtists(release.displayArtists, "ReleaseList/Release/DisplayArtist")
        resolve(release.labelReference, "P", "ReleaseList/Release/ReleaseLabelReference")
        for disc in release.discs {
            for ref in disc.resourceReferences {
                resolve(ref, "A", "ReleaseList/Release/ResourceGroup[\(disc.number)]/ResourceGroupContentItem")
            }
        }
        for ref in release.linkedResourceReferences {
            resolve(ref, "A", "ReleaseList/Release/ResourceGroup/LinkedReleaseResourceReference")
        }
    }

    /// Exactly one TrackRelease per SoundRecording, each pointing at a SoundRecording, with a declared label.
    mutating func checkTrackReleases() {
        let soundRecordingRefs = Set(m.soundRecordings.map(\.reference))
        var trackReleaseByResource: [String: Int] = [:]
        for (i, t) in m.trackReleases.enumerated() {
            func place() -> String { "ReleaseList/TrackRelease[\(i + 1)]" }
            if !soundRecordingRefs.contains(t.resourceReference) {
                error(.ernTrackReleaseResource, place() + "/ReleaseResourceReference",
                      "\(t.resourceReference) is not a SoundRecording of the message")
            } else if let first = trackReleaseByResource[t.resourceReference] {
                error(.ernTrackReleaseResource, place(), "\(t.resourceReference) already has TrackRelease[\(first)]")
            } else {
                trackReleaseByResource[t.resourceReference] = i + 1
            }
            resolve(t.labelReference, "P", place() + "/ReleaseLabelReference")
        }
        for (i, r) in m.soundRecordings.enumerated() where trackReleaseByResource[r.reference] == nil {
            error(.ernTrackReleaseResource, "ResourceList/SoundRecording[\(i + 1)]",
                  "\(r.reference) has no TrackRelease (the Audio profile needs one per SoundRecording)")
        }
    }

    /// Every ReleaseDeal names declared releases; every deal has territories, a commercial model, a use type
    /// and a start date not after its end date.
    mutating func checkDeals() {
        for (i, rd) in m.releaseDeals.enumerated() {
            func place() -> String { "DealList/ReleaseDeal[\(i + 1)]" }
            if rd.releaseReferences.isEmpty { error(.ernReferenceUnresolved, place(), "the ReleaseDeal names no release") }
            for ref in rd.releaseReferences { resolve(ref, "R", place() + "/DealReleaseReference") }
            for (j, d) in rd.deals.enumerated() {
                checkDealTerms(d, place() + "/Deal[\(j + 1)]")
            }
        }
    }

    mutating func checkDealTerms(_ d: ERNDealTerms, _ place: @autoclosure () -> String) {
        if d.territories.included.isEmpty {
            error(.ernDealIncomplete, place() + "/DealTerms/TerritoryCode", "the deal has no territory")
        }
        if d.commercialModels.isEmpty {
            error(.ernDealIncomplete, place() + "/DealTerms/CommercialModelType", "the deal has no commercial model")
        }
        if d.useTypes.isEmpty { error(.ernDealIncomplete, place() + "/DealTerms/UseType", "the deal has no use type") }
        if let start = d.start {
            if let end = d.end, end < start {
                error(.ernDealPeriod, place() + "/DealTerms/ValidityPeriod", "the deal ends (\(end)) before it starts (\(start))")
            }
        } else {
            error(.ernDealPeriod, place() + "/DealTerms/ValidityPeriod", "the deal has no StartDate")
        }
    }
}
