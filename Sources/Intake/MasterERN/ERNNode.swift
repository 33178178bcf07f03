import XMLSupport

/// An element of a master ERN together with its path from the root, for problem locations.
///
/// Paths look like `ResourceList/SoundRecording[3]/SoundRecordingEdition/ResourceId/ISRC`: an index is
/// added (1-based) where an element has several siblings of the same name.
struct ERNNode {
    let element: XMLElement
    let path: String

    var line: Int { element.line }
    var name: String { element.name }
    /// The trimmed text.
    var text: String { element.trimmedText }

    func child(_ name: String) -> ERNNode? {
        children(name).first
    }

    func children(_ name: String) -> [ERNNode] {
        let matches = element.children(name)
        guard matches.count > 1 else {
            return matches.map { ERNNode(element: $0, path: path + "/" + name) }
        }
        return matches.enumerated().map { ERNNode(element: $1, path: "\(path)/\(name)[\($0 + 1)]") }
    }

    func path(_ names: String...) -> ERNNode? {
        var current = self
        for name in names {
            guard let next = current.child(name) else { return nil }
            current = next
        }
        return current
    }

    /// Every node reached by the path, fanning out at each step.
    func all(_ names: String...) -> [ERNNode] {
        var level = [self]
        for name in names {
            level = level.flatMap { $0.children(name) }
        }
        return level
    }

    /// The trimmed text of the first child with this name; nil when it is missing or blank.
    func text(_ name: String) -> String? {
        guard let child = child(name), !child.text.isEmpty else { return nil }
        return child.text
    }

    func attribute(_ name: String) -> String? {
        element.attribute(name)
    }

    /// `SequenceNumber` as a child element (ResourceGroup, ContentItem) or attribute (DisplayArtist).
    var sequenceNumber: Int? {
        (text("SequenceNumber") ?? attribute("SequenceNumber")).flatMap { Int($0) }
    }

    /// Of several alternatives (titles, names, labels per territory or language), the one meant by default:
    /// `IsDefault="true"` first, then one for every territory (`Worldwide` or no territory), then one in
    /// the message's language (or with none), then document order.
    static func preferred(_ nodes: [ERNNode], language: String? = nil) -> ERNNode? {
        func score(_ node: ERNNode) -> Int {
            var score = 0
            if node.attribute("IsDefault") == "true" { score += 4 }
            let territory = node.attribute("ApplicableTerritoryCode")
            if territory == nil || territory == "Worldwide" { score += 2 }
            let lang = node.attribute("LanguageAndScriptCode")
            if lang == nil || lang == language { score += 1 }
            return score
        }
        var best: (node: ERNNode, score: Int)?
        for node in nodes {
            let s = score(node)
            if best == nil || s > best!.score { best = (node, s) }
        }
        return best?.node
    }
}
