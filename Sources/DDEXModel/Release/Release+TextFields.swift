extension Release {
    /// Every free-text value of the release with its field path (`title`, `tracks[2].artists[0].name`), for
    /// the checks every text must pass (`TextRules`) whatever metadata format it came from. Identifiers,
    /// dates and allowed-value codes are left out: their own rules are stricter.
    public var textFields: [(path: String, value: String)] {
        var fields: [(String, String)] = [("title", title), ("displayArtist", displayArtist), ("label", label), ("genre", genre)]
        fields += [("catalogNumber", catalogNumber), ("subtitle", subtitle), ("subGenre", subGenre),
                   ("pLine.text", pLine?.text), ("cLine.text", cLine?.text)].compactMap { path, value in value.map { (path, $0) } }
        fields += proprietaryIds.enumerated().map { ("proprietaryIds[\($0.offset)].value", $0.element.value) }
        fields += artists.enumerated().map { ("artists[\($0.offset)].name", $0.element.name) }
        fields += (dsps ?? []).enumerated().map { ("dsps[\($0.offset)]", $0.element) }
        for (t, track) in tracks.enumerated() {
            let at = "tracks[\(t)]."
            fields += [(at + "title", track.title), (at + "displayArtist", track.displayArtist)]
            fields += [(at + "subtitle", track.subtitle), (at + "genre", track.genre), (at + "pLine.text", track.pLine?.text)]
                .compactMap { path, value in value.map { (path, $0) } }
            fields += track.artists.enumerated().map { (at + "artists[\($0.offset)].name", $0.element.name) }
            fields += track.contributors.enumerated().map { (at + "contributors[\($0.offset)].name", $0.element.name) }
            fields += track.splits.enumerated().map { (at + "splits[\($0.offset)].payee", $0.element.payee) }
        }
        return fields
    }
}
