import DDEXModel
import XMLSupport

/// The ManifestMessage of a batch (`BatchComplete_<BatchId>.xml`, namespace `ern-c-sftp/18`, CHOREOGRAPHY.md §4).
public struct ERNManifest: Sendable, Hashable {
    /// One release message listed in the batch.
    public struct Entry: Sendable, Hashable {
        public var messageId: String
        /// Path of the message relative to the batch folder (`0094631432057/0094631432057.xml`).
        public var url: String
        public var releaseId: ERNReleaseId
        /// `NewReleaseDelivery`, `TakeDown`, … (AVS MessageActionType).
        public var deliveryType: String
        /// `AudioProduct` for audio releases (AVS ProductType; one product type per batch).
        public var productType: String
        /// Checksum of the message file.
        public var hashSum: HashSum?

        public init(messageId: String, url: String, releaseId: ERNReleaseId, deliveryType: String,
                    productType: String = "AudioProduct", hashSum: HashSum? = nil)
        {
            self.messageId = messageId
            self.url = url
            self.releaseId = releaseId
            self.deliveryType = deliveryType
            self.productType = productType
            self.hashSum = hashSum
        }
    }

    public var sender: ERNMessagingParty
    public var recipient: ERNMessagingParty
    public var createdAt: MessageTimestamp
    public var isTest: Bool
    /// The batch folder name (the BatchId, with its priority prefix if any).
    public var rootDirectory: String
    /// Only NewReleaseMessages: the 1.8 AVS `ErnMessageType` has no other value (CHOREOGRAPHY.md §4).
    public var entries: [Entry]

    public init(sender: ERNMessagingParty, recipient: ERNMessagingParty, createdAt: MessageTimestamp, isTest: Bool,
                rootDirectory: String, entries: [Entry])
    {
        self.sender = sender
        self.recipient = recipient
        self.createdAt = createdAt
        self.isTest = isTest
        self.rootDirectory = rootDirectory
        self.entries = entries
    }
}

/// Writes `ERNManifest`s.
public struct ManifestWriter: Sendable {
    public static let namespace = "http://ddex.net/xml/ern-c-sftp/18"
    public static let messageVersionId = "ern-c-sftp/18"

    /// The AVS version the choreography XSD imports (the shipped copy imports the ern43 AVS, version 3).
    public var avsVersionId: String
    public var indentWidth: Int

    /// A writer stamping `avsVersionId` (the AVS the choreography XSD imports) and indenting by `indentWidth`.
    public init(avsVersionId: String = "3", indentWidth: Int = 2) {
        self.avsVersionId = avsVersionId
        self.indentWidth = indentWidth
    }

    /// Writes the ManifestMessage (header, test flag, root directory, one `MessageInBatch` per entry) as one
    /// document to `w`; the caller finishes `w`.
    public func write(_ m: ERNManifest, to w: XMLStreamWriter) {
        w.startDocument()
        w.startElement("ern-c-sftp:ManifestMessage")
        w.attribute("xmlns:ern-c-sftp", Self.namespace)
        w.attribute("MessageVersionId", Self.messageVersionId)
        w.attribute("AvsVersionId", avsVersionId)
        w.startElement("MessageHeader")
        for (name, p) in [("MessageSender", m.sender), ("MessageRecipient", m.recipient)] {
            w.startElement(name)
            w.element("PartyId", p.dpid)
            w.startElement("PartyName")
            w.element("FullName", p.name)
            w.endElement()
            w.endElement()
        }
        w.element("MessageCreatedDateTime", m.createdAt.iso8601)
        w.endElement()
        w.element("IsTestFlag", m.isTest ? "true" : "false")
        w.element("RootDirectory", m.rootDirectory)
        w.element("NumberOfMessages", m.entries.count)
        for e in m.entries {
            w.startElement("MessageInBatch")
            w.element("MessageType", "NewReleaseMessage")
            w.element("MessageId", e.messageId)
            w.element("URL", e.url)
            w.startElement("IncludedReleaseId")
            w.element("GRid", ifPresent: e.releaseId.grid?.value)
            w.element("ICPN", ifPresent: e.releaseId.icpn?.value)
            if let cat = e.releaseId.catalogNumber {
                w.element("CatalogNumber", attributes: ["Namespace": m.sender.dpid], cat)
            }
            for p in e.releaseId.proprietaryIds {
                w.element("ProprietaryId", attributes: ["Namespace": p.namespace], p.value)
            }
            w.endElement()
            w.element("DeliveryType", e.deliveryType)
            w.element("ProductType", e.productType)
            if let hash = e.hashSum {
                w.startElement("HashSum")
                w.element("HashSumValue", hash.hex)
                w.element("HashSumAlgorithmType", hash.algorithm.rawValue)
                w.endElement()
            }
            w.endElement()
        }
        w.endElement()
    }

    /// The manifest as UTF-8 bytes, in memory (manifests are small); throws `XMLWriteError` when writing fails.
    public func bytes(of manifest: ERNManifest) throws(XMLWriteError) -> [UInt8] {
        let w = XMLStreamWriter(indentWidth: indentWidth)
        write(manifest, to: w)
        try w.finish()
        return w.bytes
    }
}
