import DDEXModel

/// The field-by-field reading of one `release.json` document.
final class ReleaseJSONContext {
    let reader: JSONFieldReader
    private(set) var unmodelledResources: [ResourceFile] = []

    init(reader: JSONFieldReader) { self.reader = reader }

    static let releaseKeys: Set<String> = [
        "icpn", "grid", "catalogNumber", "title", "subtitle", "displayArtist", "artists", "label", "pLine", "cLine",
        "genre", "subGenre", "releaseType", "releaseDate", "originalReleaseDate", "parentalWarning", "language", "cover",
        "tracks", "deals", "dsps", "takedown",
    ]
    static let trackKeys: Set<String> = [
        "isrc", "title", "subtitle", "displayArtist", "artists", "contributors", "iswc", "disc", "number", "file",
        "parentalWarning", "genre", "pLine", "language", "duration", "splits",
    ]
    static let dealKeys: Set<String> = ["territories", "excludedTerritories", "commercialModels", "useTypes", "start", "end", "tracks"]

    /// The release the document describes, or nil when its root is not an object; every problem, in field order,
    /// goes to `reader`.
    func release(_ root: JSONValue) -> Release? {
        let r = reader
        guard let o = r.object(root, "", known: Self.releaseKeys) else { return nil }
        let icpn = r.identifier(o, "icpn", required: false) { s throws(IdentifierError) in try ICPN(validating: s) }
        let grid = r.identifier(o, "grid", required: false) { s throws(IdentifierError) in try GRid(validating: s) }
        if o.members["icpn"].map({ $0.isNull }) ?? true, o.members["grid"].map({ $0.isNull }) ?? true {
            r.report(.releaseIdMissing, "icpn", o.node, "the release needs an ICPN (UPC/EAN) or a GRid")
        }
        let title = r.string(o, "title", required: true)
        let displayArtist = r.string(o, "displayArtist", required: true)
        let artists = self.artists(o, "artists", required: true)
        let label = r.string(o, "label", required: true)
        let genre = r.string(o, "genre", required: true)
        let releaseType = r.allowed(o, "releaseType", required: true, in: AllowedValues.releaseTypes, what: "ReleaseType")
        let releaseDate = r.identifier(o, "releaseDate", required: false) { s throws(IdentifierError) in try PartialDate(validating: s) }
        let originalDate = r.identifier(o, "originalReleaseDate", required: false) { s throws(IdentifierError) in try PartialDate(validating: s) }
        let warning = r.allowed(o, "parentalWarning", required: false, in: AllowedValues.parentalWarningTypes, what: "ParentalWarningType")
            ?? "NoAdviceAvailable"
        let language = r.identifier(o, "language", required: false) { s throws(IdentifierError) in try LanguageTag(validating: s) }
        let cover = r.string(o, "cover", required: false, isText: false).map { ImageResource(file: ResourceFile(path: $0)) }
        if cover == nil, o.members["cover"] == nil || o.members["cover"]?.isNull == true {
            r.warn(.coverMissing, "cover", o.node, "the release has no cover image; most DSPs require one")
        }
        let takedown = r.bool(o, "takedown") ?? false

        let defaults = TrackDefaults(displayArtist: displayArtist ?? "", artists: artists ?? [], parentalWarning: warning)
        let tracks = self.tracks(o, defaults)
        let deals = self.deals(o, isrcs: Set(tracks.map(\.isrc)), takedown: takedown)
        let dsps = self.dsps(o)

        return Release(
            icpn: icpn, grid: grid, catalogNumber: r.string(o, "catalogNumber", required: false), title: title ?? "",
            subtitle: r.string(o, "subtitle", required: false), displayArtist: displayArtist ?? "", artists: artists ?? [],
            label: label ?? "", pLine: rightsLine(o, "pLine"), cLine: rightsLine(o, "cLine"), genre: genre ?? "",
            subGenre: r.string(o, "subGenre", required: false), releaseType: releaseType ?? "", releaseDate: releaseDate,
            originalReleaseDate: originalDate, parentalWarning: warning, language: language, cover: cover, tracks: tracks,
            deals: deals, dsps: dsps, takedown: takedown)
    }

    /// The tracks that read without errors; the whole list is then checked (`checkTrackList`).
    private func tracks(_ o: JSONFieldReader.Object, _ defaults: TrackDefaults) -> [Track] {
        var read: [(track: Track, node: JSONValue, path: String)] = []
        for (value, path) in reader.array(o, "tracks", required: true, nonEmpty: true) ?? [] {
            if let t = track(value, path, defaults) { read.append((t, value, path)) }
        }
        checkTrackList(read, o)
        return read.map(\.track)
    }

    /// The deals that read without errors; none at all is an error unless the release is a takedown.
    private func deals(_ o: JSONFieldReader.Object, isrcs: Set<ISRC>, takedown: Bool) -> [Deal] {
        let r = reader
        var deals: [Deal] = []
        let dealItems = r.array(o, "deals", required: false)
        for (value, path) in dealItems ?? [] {
            if let d = deal(value, path, isrcs: isrcs) { deals.append(d) }
        }
        if (dealItems ?? []).isEmpty, !takedown {
            r.report(.dealsMissing, "deals", o.members["deals"] ?? o.node, "the release has no deal, so no DSP may offer it (a takedown sets \"takedown\": true)")
        }
        return deals
    }

    /// The DSP names of `dsps` without repeats, in order; nil when absent (every enabled DSP). An empty list is an
    /// error: the release would go nowhere.
    private func dsps(_ o: JSONFieldReader.Object) -> [String]? {
        let r = reader
        guard let items = r.array(o, "dsps", required: false) else { return nil }
        var names: [String] = []
        for (value, path) in items {
            guard case .string(let s) = value.kind, !s.isEmpty else {
                r.report(.jsonType, path, value, "must be a DSP profile name")
                continue
            }
            if let problem = TextRules.problem(s, field: path, at: r.location(path, value)) {
                r.add(problem)
                continue
            }
            if !names.contains(s) { names.append(s) }
        }
        if items.isEmpty {
            r.report(.fieldRequired, "dsps", o.members["dsps"], "'dsps' is empty, so the release would go nowhere; leave it out to deliver to every enabled DSP")
        }
        return names
    }

    struct TrackDefaults {
        var displayArtist: String
        var artists: [Artist]
        var parentalWarning: String
    }

    private func track(_ value: JSONValue, _ path: String, _ defaults: TrackDefaults) -> Track? {
        let r = reader
        guard let o = r.object(value, path, known: Self.trackKeys) else { return nil }
        let isrc = r.identifier(o, "isrc", required: true) { s throws(IdentifierError) in try ISRC(validating: s) }
        let title = r.string(o, "title", required: true)
        let file = r.string(o, "file", required: true, isText: false).map { ResourceFile(path: $0) }
        let number = r.int(o, "number", required: true, range: 1...9999)
        let disc = r.int(o, "disc", required: false, range: 1...999) ?? 1
        let iswc = r.identifier(o, "iswc", required: false) { s throws(IdentifierError) in try ISWC(validating: s) }
        let artists = self.artists(o, "artists", required: false)
        let contributors = self.contributors(o)
        let warning = r.allowed(o, "parentalWarning", required: false, in: AllowedValues.parentalWarningTypes, what: "ParentalWarningType")
        let language = r.identifier(o, "language", required: false) { s throws(IdentifierError) in try LanguageTag(validating: s) }
        let duration = r.identifier(o, "duration", required: false) { s throws(IdentifierError) in try ISODuration(validating: s) }
        let splits = self.splits(o)
        guard let isrc, let file, let number else {
            if let file { unmodelledResources.append(file) }
            return nil
        }
        return Track(
            isrc: isrc, title: title ?? "", subtitle: r.string(o, "subtitle", required: false),
            displayArtist: r.string(o, "displayArtist", required: false) ?? defaults.displayArtist,
            artists: artists ?? defaults.artists, contributors: contributors, iswc: iswc, disc: disc, number: number, file: file,
            parentalWarning: warning ?? defaults.parentalWarning, genre: r.string(o, "genre", required: false),
            pLine: rightsLine(o, "pLine"), language: language, declaredDuration: duration, splits: splits)
    }

    /// Release-wide rules over the tracks: unique ISRCs, unique disc/number pairs, numbers without gaps.
    private func checkTrackList(_ read: [(track: Track, node: JSONValue, path: String)], _ o: JSONFieldReader.Object) {
        let r = reader
        let tracks = read.map(\.track)
        var seenISRC: [ISRC: Int] = [:]
        var seenPlace: [String: Int] = [:]
        for (index, (t, n, p)) in read.enumerated() {
            if let first = seenISRC[t.isrc] {
                r.report(.isrcDuplicate, "\(p).isrc", n.member("isrc") ?? n, "ISRC \(t.isrc) is already used by track \(tracks[first].disc)-\(tracks[first].number); each recording appears once")
            } else {
                seenISRC[t.isrc] = index
            }
            let place = "\(t.disc)-\(t.number)"
            if seenPlace[place] != nil {
                r.report(.trackNumberDuplicate, "\(p).number", n.member("number") ?? n, "disc \(t.disc) already has a track number \(t.number)")
            } else {
                seenPlace[place] = index
            }
        }
        for disc in Set(tracks.map(\.disc)).sorted() {
            let numbers = Set(tracks.filter { $0.disc == disc }.map(\.number)).sorted()
            if numbers != Array(1...max(1, numbers.count)) {
                r.warn(.trackNumberGap, "tracks", o.members["tracks"], "track numbers on disc \(disc) are \(numbers.map(String.init).joined(separator: ", ")); expected 1 to \(numbers.count)")
            }
        }
    }

    private func artists(_ o: JSONFieldReader.Object, _ key: String, required: Bool) -> [Artist]? {
        let r = reader
        guard let items = r.array(o, key, required: required, nonEmpty: true) else { return nil }
        var out: [Artist] = []
        for (value, path) in items {
            guard let a = r.object(value, path, known: ["name", "role", "isni"]) else { continue }
            let name = r.string(a, "name", required: true)
            let role = r.allowed(a, "role", required: true, in: AllowedValues.displayArtistRoles, what: "DisplayArtistRole")
            let isni = r.identifier(a, "isni", required: false) { s throws(IdentifierError) in try ISNI(validating: s) }
            if let name, let role { out.append(Artist(name: name, role: role, isni: isni)) }
        }
        return out
    }

    private func contributors(_ o: JSONFieldReader.Object) -> [Contributor] {
        let r = reader
        var out: [Contributor] = []
        for (value, path) in r.array(o, "contributors", required: false) ?? [] {
            guard let c = r.object(value, path, known: ["name", "role", "isni"]) else { continue }
            let name = r.string(c, "name", required: true)
            let role = r.allowed(c, "role", required: true, in: AllowedValues.contributorRoles, what: "ContributorRole")
            let isni = r.identifier(c, "isni", required: false) { s throws(IdentifierError) in try ISNI(validating: s) }
            if let name, let role { out.append(Contributor(name: name, role: role, isni: isni)) }
        }
        return out
    }

    private func rightsLine(_ o: JSONFieldReader.Object, _ key: String) -> RightsLine? {
        let r = reader
        guard let v = r.member(o, key, required: false), let line = r.object(v, o.path(key), known: ["year", "text"]) else { return nil }
        let year = r.int(line, "year", required: false, range: 1000...9999)
        guard let text = r.string(line, "text", required: true) else { return nil }
        return RightsLine(year: year, text: text)
    }

    private func splits(_ o: JSONFieldReader.Object) -> [Split] {
        let r = reader
        guard let items = r.array(o, "splits", required: false) else { return [] }
        var out: [Split] = []
        var complete = true
        for (value, path) in items {
            guard let s = r.object(value, path, known: ["payee", "shareBasisPoints"]) else {
                complete = false
                continue
            }
            let payee = r.string(s, "payee", required: true)
            let share = r.int(s, "shareBasisPoints", required: true, range: Split.shareRange, rangeCode: .splitShareInvalid)
            guard let payee, let share else {
                complete = false
                continue
            }
            if out.contains(where: { $0.payee == payee }) {
                r.report(.splitPayeeDuplicate, "\(path).payee", value, "payee '\(payee)' appears twice in this track's splits; give one share per payee")
                complete = false
                continue
            }
            out.append(Split(payee: payee, shareBasisPoints: share))
        }
        let sum = out.reduce(0) { $0 + $1.shareBasisPoints }
        if complete, !items.isEmpty, sum != Split.totalBasisPoints {
            r.report(.splitsSumInvalid, o.path("splits"), o.members["splits"], "the shares sum to \(sum) basis points; they must sum to \(Split.totalBasisPoints) (100%)")
        }
        return out
    }

    private func deal(_ value: JSONValue, _ path: String, isrcs: Set<ISRC>) -> Deal? {
        let r = reader
        guard let o = r.object(value, path, known: Self.dealKeys) else { return nil }
        var included: [Territory] = []
        for (v, p) in r.array(o, "territories", required: true, nonEmpty: true) ?? [] {
            if let t = r.identifier(v, p, { s throws(IdentifierError) in try Territory(validating: s) }) { included.append(t) }
        }
        var excluded: [Territory] = []
        for (v, p) in r.array(o, "excludedTerritories", required: false) ?? [] {
            if let t = r.identifier(v, p, { s throws(IdentifierError) in try Territory(validating: s) }) { excluded.append(t) }
        }
        let contradictions = Territory.contradictions(included: included, excluded: excluded)
        if !contradictions.isEmpty {
            r.report(.dealTerritoryConflict, o.path("excludedTerritories"), o.members["excludedTerritories"],
                     "\(contradictions.map(\.value).joined(separator: ", ")) is both in territories and in excludedTerritories; say where the deal applies once")
        }
        var models: [String] = []
        for (v, p) in r.array(o, "commercialModels", required: true, nonEmpty: true) ?? [] {
            if let m = r.allowed(v, p, in: AllowedValues.commercialModelTypes, what: "CommercialModelType") { models.append(m) }
        }
        var uses: [String] = []
        for (v, p) in r.array(o, "useTypes", required: true, nonEmpty: true) ?? [] {
            if let u = r.allowed(v, p, in: AllowedValues.useTypes, what: "UseType") { uses.append(u) }
        }
        let start = r.identifier(o, "start", required: true) { s throws(IdentifierError) in try PartialDate(validating: s) }
        let end = r.identifier(o, "end", required: false) { s throws(IdentifierError) in try PartialDate(validating: s) }
        if let start, let end, end < start {
            r.report(.dealPeriodInvalid, o.path("end"), o.members["end"], "the deal ends (\(end)) before it starts (\(start))")
        }
        var trackISRCs: [ISRC] = []
        for (v, p) in r.array(o, "tracks", required: false) ?? [] {
            guard let isrc = r.identifier(v, p, { s throws(IdentifierError) in try ISRC(validating: s) }) else { continue }
            if !isrcs.contains(isrc) {
                r.report(.dealTrackUnknown, p, v, "ISRC \(isrc) is not a track of this release")
            }
            trackISRCs.append(isrc)
        }
        guard let start, !included.isEmpty, !models.isEmpty, !uses.isEmpty else { return nil }
        return Deal(territories: TerritorySet(included: included, excluded: excluded), commercialModels: models, useTypes: uses,
                    start: start, end: end, trackISRCs: trackISRCs)
    }
}
