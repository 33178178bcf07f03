import DDEXModel

/// A DSP's acknowledgement of a delivery, read from any of the three generations DSPs send.
public struct Acknowledgement: Sendable, Hashable {
    /// Which acknowledgement standard the DSP wrote, kept so a report can say what was read.
    public enum Generation: String, Sendable, Hashable {
        /// ERN Part 3 (1.8) `AcknowledgementMessage`, namespace `http://ddex.net/xml/ern-c-sftp/18`.
        case ernCSFTP18 = "ern-c-sftp/18"
        /// ECHO 1.7 `ErnAcknowledgementStatusMessage`, namespace `http://ddex.net/xml/ern-c-sftp/17`.
        case echo17 = "ern-c-sftp/17"
        /// ERN-C 1.4 to 1.6 `FtpAcknowledgementMessage` (`ern-c/14`, `ern-c-sftp/16`).
        case ftpAcknowledgement = "ern-c/14"
    }

    /// What the DSP says about one release (or one acknowledged file in the older generations).
    public struct Entry: Sendable, Hashable {
        /// Release ids the entry names (ICPN, GRid, catalogue number, proprietary ids), as written.
        public var releaseIds: [String]
        /// The MessageId of the NewReleaseMessage acknowledged, when the entry names it.
        public var messageId: String?
        public var batchId: String?
        public var messageType: String?
        /// The file status (`FileOK`, `ResourceCorrupt`, `NewReleaseMessageInvalid`, …).
        public var status: String
        /// The supply-chain status (`SuccessfullyIngestedByReleaseDistributor`, `ProcessingErrorAtReleaseDistributor`, …).
        public var releaseStatus: String?
        /// The DSP's own words: ErrorText and MessageStatus/Information joined.
        public var text: String?
        public var proposedAction: String?
        /// ISRCs or other ids of the resources the DSP names as affected.
        public var affectedResources: [String]
        /// The date string the older generations use to name the acknowledged delivery folder.
        public var acknowledgedDate: String?

        /// True only for a status ddexd knows as success: `FileOK` and no error supply-chain status.
        /// Unknown values count as failures (CHOREOGRAPHY.md §5).
        public var isSuccess: Bool {
            guard status == "FileOK" else { return false }
            guard let releaseStatus else { return true }
            return Acknowledgement.successfulReleaseStatuses.contains(releaseStatus)
        }
    }

    static let successfulReleaseStatuses: Set<String> = [
        "DeliveredToReleaseDistributor", "InDeliveryToReleaseDistributor", "ReleaseMadeAvailableToConsumers",
        "ReleaseReceivedByReleaseDistributor", "ReleaseStagedForPublication", "SuccessfullyIngestedByReleaseDistributor",
    ]

    public var generation: Generation
    /// The file it was read from (as given to the reader).
    public var file: String
    /// The acknowledgement's own MessageId, when it has one.
    public var ackMessageId: String?
    public var sender: String?
    public var createdAt: String?
    public var entries: [Entry]

    /// One line for logs and status files: `ResourceCorrupt: track 3 is cut (GBAYE0601498)`.
    public var summary: String {
        entries.map { entry in
            var s = entry.status
            if let r = entry.releaseStatus, r != "SuccessfullyIngestedByReleaseDistributor" { s += " (\(r))" }
            if let t = entry.text { s += ": \(t)" }
            if !entry.affectedResources.isEmpty { s += " [\(entry.affectedResources.joined(separator: ", "))]" }
            return s
        }.joined(separator: "; ")
    }
}

/// Parts of an acknowledgement file name, used when the content names no MessageId.
///
/// `ACK_<MessageId>_<YYYYMMDDhhmmssnnn>.xml` (Part 3 1.8) or `ACK_<date-time>_<ReleaseId>.xml` (ECHO 1.7).
public struct AcknowledgementFileName: Sendable, Hashable {
    public var parts: [String]

    /// The `_`-separated parts between `ACK_` and `.xml` (the extension in any case); nil for a name of another form.
    public init?(_ name: String) {
        guard name.hasPrefix("ACK_"), name.lowercased().hasSuffix(".xml") else { return nil }
        parts = name.dropFirst(4).dropLast(4).split(separator: "_", omittingEmptySubsequences: false).map(String.init)
    }
}
