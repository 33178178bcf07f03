import DDEXModel
import XMLSupport

extension XMLStreamWriter {
    /// `<name>value</name>` when `value` is present.
    func element(_ name: String, ifPresent value: String?) {
        if let value { element(name, value) }
    }

    /// A PLine/CLine body: `Year?` then `<prefix>LineText`.
    func rightsLine(_ name: String, textElement: String, _ line: RightsLine) {
        startElement(name)
        if let year = line.year, (1000...9999).contains(year) { element("Year", year) }
        element(textElement, line.text)
        endElement()
    }

    /// The DealTerms territory choice: `TerritoryCode`s, or `ExcludedTerritoryCode`s for "worldwide except".
    func territories(_ set: TerritorySet) {
        if set.included.contains(where: \.isWorldwide), !set.excluded.isEmpty {
            for t in set.excluded { element("ExcludedTerritoryCode", t.value) }
        } else {
            for t in set.included where !set.excluded.contains(t) { element("TerritoryCode", t.value) }
        }
    }

    /// `ValidityPeriod` with `StartDate` and optional `EndDate`.
    func validityPeriod(start: PartialDate?, end: PartialDate?) {
        startElement("ValidityPeriod")
        if let start { element("StartDate", start.description) }
        if let end { element("EndDate", end.description) }
        endElement()
    }

    /// `MessageHeader`, the same in ERN 4.3 and 3.8.2 (in schema order).
    func messageHeader(_ h: ERNHeader) {
        startElement("MessageHeader")
        element("MessageThreadId", ifPresent: h.messageThreadId)
        element("MessageId", h.messageId)
        messagingParty("MessageSender", h.sender)
        messagingParty("MessageRecipient", h.recipient)
        element("MessageCreatedDateTime", h.createdAt.iso8601)
        element("MessageControlType", h.isTest ? "TestMessage" : "LiveMessage")
        endElement()
    }

    /// `MessageSender` / `MessageRecipient`: the DPID and the party's name.
    func messagingParty(_ name: String, _ p: ERNMessagingParty) {
        startElement(name)
        element("PartyId", p.dpid)
        startElement("PartyName")
        element("FullName", p.name)
        endElement()
        endElement()
    }

    /// `ReleaseId`. The catalogue number's namespace is the sender's DPID: it is the sender's own numbering.
    func releaseId(_ id: ERNReleaseId, sender: String) {
        startElement("ReleaseId")
        element("GRid", ifPresent: id.grid?.value)
        element("ICPN", ifPresent: id.icpn?.value)
        if let cat = id.catalogNumber { element("CatalogNumber", attributes: ["Namespace": sender], cat) }
        for p in id.proprietaryIds { element("ProprietaryId", attributes: ["Namespace": p.namespace], p.value) }
        endElement()
    }
}

/// Number formatting shared by the writers.
enum ERNFormat {
    /// A sampling rate in kHz as an exact decimal: 44100 → `44.1`, 48000 → `48`, 176400 → `176.4`.
    static func kilohertz(_ hz: UInt32) -> String {
        let whole = hz / 1000
        var frac = hz % 1000
        guard frac != 0 else { return String(whole) }
        var digits = 3
        while frac % 10 == 0 {
            frac /= 10
            digits -= 1
        }
        let f = String(frac)
        return "\(whole)." + String(repeating: "0", count: digits - f.count) + f
    }

    /// A title with its version, for places that have a single title string.
    static func fullTitle(_ title: String, _ subtitle: String?) -> String {
        guard let subtitle, !subtitle.isEmpty else { return title }
        return "\(title) (\(subtitle))"
    }
}
