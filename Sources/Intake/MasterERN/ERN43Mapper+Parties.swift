import DDEXModel

extension ERN43Mapper {
    /// A party of `PartyList`, as the mapper uses it.
    struct Party {
        var name: String?
        var isni: ISNI?
    }

    /// Resolves `P…` party references against `PartyList` and reads display artists through them; every
    /// unknown reference or missing name is logged where it is met.
    struct PartyResolver {
        let parties: [String: Party]
        let log: MasterERNLog
        let fields: MasterERNFields

        /// The party `node`'s text names; an error (named after `role`) when it is not in `PartyList`.
        func party(_ node: ERNNode?, _ role: String) -> Party? {
            guard let node else { return nil }
            guard let party = parties[node.text] else {
                log.error(.masterERNReferenceUnknown, node, "\(role) '\(node.text)' is not a PartyReference in PartyList")
                return nil
            }
            return party
        }

        /// The `DisplayArtist`s of `node` in `SequenceNumber` order (document order among equals); one whose
        /// party is unknown or has no name is left out.
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

        /// The preferred `DisplayArtistName`; when missing, the artists' names joined by ", ".
        func displayArtistName(of node: ERNNode, artists: [Artist]) -> String {
            if let name = ERNNode.preferred(node.children("DisplayArtistName"), language: fields.language), !name.text.isEmpty {
                return name.text
            }
            log.missing("DisplayArtistName", in: node)
            return artists.map(\.name).joined(separator: ", ")
        }
    }

    /// The parties of `PartyList` by `PartyReference`.
    func readParties() -> [String: Party] {
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
}
