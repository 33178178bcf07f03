import DDEXModel
import Foundation

/// Field readers shared by the ERN 4.3 and 3.8.2 mappers.
struct MasterERNFields {
    let log: MasterERNLog
    /// The message's `LanguageAndScriptCode`, to prefer titles and names in that language.
    let language: String?

    // MARK: Files

    /// A package-relative path from a master ERN: kept as given, except a leading `./`; refused when it is
    /// absolute, a URL, uses `\`, or has an empty, `.` or `..` component.
    func packagePath(_ raw: String, _ node: ERNNode) -> String? {
        var path = raw
        while path.hasPrefix("./") { path.removeFirst(2) }
        let refuse = { (why: String) -> String? in
            log.error(.masterERNPathInvalid, node, "'\(raw)' \(why); file paths must be relative to the package root, such as resources/01.flac")
            return nil
        }
        if path.isEmpty { return refuse("is empty") }
        if path.hasPrefix("/") { return refuse("is an absolute path") }
        if path.contains("\\") { return refuse("uses backslashes") }
        if let colon = path.firstIndex(of: ":"), !path[..<colon].contains("/") { return refuse("is a URL or drive path") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return refuse("climbs out of the package with '..'") }
        if parts.contains(where: { $0.isEmpty || $0 == "." }) { return refuse("has an empty or '.' component") }
        return path
    }

    /// A declared hash: MD5 or SHA-256 as hex (or Base64 when `dataType` says Binary64).
    /// Other algorithms are reported as a warning and not kept: ddexd could not check them.
    func hashSum(algorithm algorithmNode: ERNNode?, value valueNode: ERNNode?, dataType: String?,
                 in node: ERNNode) -> HashSum?
    {
        guard let algorithmNode, !algorithmNode.text.isEmpty else {
            log.missing("the hash algorithm", in: node)
            return nil
        }
        guard let valueNode, !valueNode.text.isEmpty else {
            log.missing("the hash value", in: node)
            return nil
        }
        let algorithm: HashAlgorithm
        switch algorithmNode.text.uppercased() {
        case "MD5": algorithm = .md5
        case "SHA-256", "SHA256": algorithm = .sha256
        default:
            log.warning(.masterERNHashInvalid, algorithmNode,
                        "hash algorithm '\(algorithmNode.text)' is not checked by ddexd (it checks MD5 and SHA-256); the hash is ignored")
            return nil
        }
        var hex = valueNode.text.lowercased()
        if dataType == "Binary64" {
            guard let bytes = Data(base64Encoded: valueNode.text) else {
                log.error(.masterERNHashInvalid, valueNode, "'\(valueNode.text)' is not Base64 (HashSumDataType is Binary64)")
                return nil
            }
            hex = bytes.map { String(format: "%02x", $0) }.joined()
        }
        let expected = algorithm == .md5 ? 32 : 64
        guard hex.count == expected, hex.allSatisfy(\.isHexDigit) else {
            log.error(.masterERNHashInvalid, valueNode,
                      "'\(valueNode.text)' is not a \(algorithm.rawValue) hash: it must be \(expected) hexadecimal digits")
            return nil
        }
        return HashSum(algorithm: algorithm, hex: hex)
    }

    // MARK: Values

    /// A ℗ or © line: `Year` and `<textElement>`.
    func rightsLine(_ node: ERNNode?, textElement: String) -> RightsLine? {
        guard let node else { return nil }
        guard let text = node.text(textElement) else {
            log.missing(textElement, in: node)
            return nil
        }
        var year: Int?
        if let yearNode = node.child("Year") {
            year = Int(yearNode.text)
            if year == nil { log.warning(.dateInvalid, yearNode, "'\(yearNode.text)' is not a year; it is ignored") }
        }
        return RightsLine(year: year, text: text)
    }

    /// A date element: `YYYY[-MM[-DD]]`, or the date part of an `xs:dateTime`.
    func date(_ node: ERNNode?) -> PartialDate? {
        guard let node else { return nil }
        let text = node.text
        let datePart = text.count > 10 && text.dropFirst(10).first == "T" ? String(text.prefix(10)) : text
        do {
            return try PartialDate(validating: datePart)
        } catch {
            log.add(error.problem(at: log.location(node)))
            return nil
        }
    }

    func partyNameText(_ party: ERNNode) -> String? {
        ERNNode.preferred(party.children("PartyName"), language: language)?.text("FullName")
    }

    // MARK: Track order

    /// One entry of the release's track list, before the recording is looked up.
    struct Slot {
        var disc: Int
        var number: Int
        /// The `ReleaseResourceReference` node.
        var reference: ERNNode
    }

    /// The track list from the main release's `ResourceGroup`.
    ///
    /// Each top-level sub-group is a disc (`disc` = its `SequenceNumber`, else its position), except
    /// `MultiWorkPart` groups (the movements of a classical work), which stay on the enclosing disc;
    /// content items directly in the top group form disc `SequenceNumber` (default 1). Within a disc,
    /// items follow their `SequenceNumber`s and `number` counts them from 1, so a classical album with
    /// four three-movement works gets tracks 1-12.
    func trackSlots(_ top: ERNNode) -> [Slot] {
        var slots: [Slot] = []
        func sorted(_ nodes: [ERNNode]) -> [ERNNode] {
            guard nodes.allSatisfy({ $0.sequenceNumber != nil }) else { return nodes }
            return nodes.enumerated().sorted {
                ($0.element.sequenceNumber!, $0.offset) < ($1.element.sequenceNumber!, $1.offset)
            }.map(\.element)
        }
        func collect(_ group: ERNNode, disc: Int) {
            for item in sorted(group.children("ResourceGroupContentItem")) {
                guard let reference = item.child("ReleaseResourceReference"), !reference.text.isEmpty else {
                    log.missing("ReleaseResourceReference", in: item)
                    continue
                }
                let number = slots.filter { $0.disc == disc }.count + 1
                slots.append(Slot(disc: disc, number: number, reference: reference))
            }
            for sub in sorted(group.children("ResourceGroup")) {
                collect(sub, disc: disc)
            }
        }
        let topDisc = top.sequenceNumber ?? 1
        for item in sorted(top.children("ResourceGroupContentItem")) {
            guard let reference = item.child("ReleaseResourceReference"), !reference.text.isEmpty else {
                log.missing("ReleaseResourceReference", in: item)
                continue
            }
            slots.append(Slot(disc: topDisc, number: slots.filter { $0.disc == topDisc }.count + 1, reference: reference))
        }
        for (index, sub) in sorted(top.children("ResourceGroup")).enumerated() {
            if sub.attribute("ResourceGroupType") == "MultiWorkPart" {
                collect(sub, disc: topDisc)
            } else {
                collect(sub, disc: sub.sequenceNumber ?? index + 1)
            }
        }
        return slots
    }

    /// `LinkedReleaseResourceReference`s anywhere in the group tree (the cover is linked this way).
    func linkedReferences(_ group: ERNNode) -> [String] {
        var found = group.children("LinkedReleaseResourceReference").map(\.text)
        for item in group.children("ResourceGroupContentItem") {
            found += item.children("LinkedReleaseResourceReference").map(\.text)
        }
        for sub in group.children("ResourceGroup") {
            found += linkedReferences(sub)
        }
        return found
    }

    // MARK: Deals

    /// The terms shared by both versions: territories, commercial models and use types, validity periods.
    /// One `Deal` per `ValidityPeriod`.
    func deals(terms: ERNNode, useTypes useTypeNodes: [ERNNode], trackISRCs: [ISRC]) -> [Deal] {
        let included = terms.children("TerritoryCode").compactMap { log.validated($0, Territory.init(validating:)) }
        let excluded = terms.children("ExcludedTerritoryCode").compactMap { log.validated($0, Territory.init(validating:)) }
        let hasTerritoryElements = terms.child("TerritoryCode") != nil || terms.child("ExcludedTerritoryCode") != nil
        if !hasTerritoryElements {
            log.missing("TerritoryCode or ExcludedTerritoryCode", in: terms, "a deal must say where it applies")
        }
        let territories = TerritorySet(included: included.isEmpty && !excluded.isEmpty ? [.worldwide] : included,
                                       excluded: excluded)
        let models = terms.children("CommercialModelType").filter {
            log.allowed($0, in: AllowedValues.commercialModelTypes, "CommercialModelType")
        }.map(\.text)
        let uses = useTypeNodes.filter { log.allowed($0, in: AllowedValues.useTypes, "UseType") }.map(\.text)
        let periods = terms.children("ValidityPeriod")
        if periods.isEmpty { log.missing("ValidityPeriod", in: terms) }
        var deals: [Deal] = []
        for period in periods {
            let startNode = period.child("StartDate") ?? period.child("StartDateTime")
            let endNode = period.child("EndDate") ?? period.child("EndDateTime")
            guard let startNode else {
                log.missing("StartDate", in: period, "ddexd needs the first day of every deal")
                continue
            }
            guard let start = date(startNode) else { continue }
            let end = date(endNode)
            if let end, end < start {
                log.error(.dateInvalid, period, "the deal ends (\(end)) before it starts (\(start))")
            }
            // Every territory was refused (already reported): a deal for nowhere is no deal.
            guard !territories.included.isEmpty else { continue }
            deals.append(Deal(territories: territories, commercialModels: models, useTypes: uses, start: start,
                              end: end, trackISRCs: trackISRCs))
        }
        return deals
    }
}
