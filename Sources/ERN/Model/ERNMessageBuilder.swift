import DDEXConfig
import DDEXModel

/// Everything besides the release that decides what a message for one DSP says.
public struct ERNBuildContext: Sendable {
    public var sender: SenderSettings
    public var profile: DSPProfile
    public var messageId: String
    /// Defaults to the MessageId: each delivery is its own thread.
    public var messageThreadId: String?
    public var createdAt: MessageTimestamp
    /// The URI each resource gets in the message, keyed by package-relative path. Resources missing here
    /// get `resourceFolder` + the name from the profile's `ResourceNaming`.
    public var resourceURIs: [String: String]
    /// Folder of the resource files relative to the message file, with its trailing `/`.
    public var resourceFolder: String

    public init(sender: SenderSettings, profile: DSPProfile, messageId: String, messageThreadId: String? = nil,
                createdAt: MessageTimestamp, resourceURIs: [String: String] = [:], resourceFolder: String = "resources/")
    {
        self.sender = sender
        self.profile = profile
        self.messageId = messageId
        self.messageThreadId = messageThreadId
        self.createdAt = createdAt
        self.resourceURIs = resourceURIs
        self.resourceFolder = resourceFolder
    }

    public var header: ERNHeader {
        ERNHeader(messageThreadId: messageThreadId ?? messageId, messageId: messageId,
                  sender: ERNMessagingParty(dpid: sender.dpid.value, name: sender.name),
                  recipient: ERNMessagingParty(dpid: profile.recipientDPID.value, name: profile.recipientName),
                  createdAt: createdAt, isTest: profile.testMode)
    }
}

/// Turns a `ValidatedRelease` into the message one DSP receives.
///
/// Decides: the takedown form (`remove-deals` → a NewReleaseMessage without DealList, `purge-release` →
/// a PurgeReleaseMessage), local references (`P1…`, `A1…`, `T1…`, `R0` for the main release and `R1…` for
/// track releases), file URIs, the one hash algorithm written per file, and the deals the DSP may see.
public enum ERNMessageBuilder {
    /// The message for this DSP, or nil with the errors that prevent it.
    public static func message(for validated: ValidatedRelease, context: ERNBuildContext) -> (ERNMessage?, [Problem]) {
        if validated.release.takedown, context.profile.takedownStyle == .purgeRelease {
            return (.purgeRelease(purgeRelease(for: validated.release, context: context)), [])
        }
        let (message, problems) = newRelease(for: validated, context: context)
        return (message.map(ERNMessage.newRelease), problems)
    }

    /// A PurgeReleaseMessage naming the release by its ids and title.
    public static func purgeRelease(for release: Release, context: ERNBuildContext) -> ERNPurgeReleaseMessage {
        ERNPurgeReleaseMessage(header: context.header, languageAndScriptCode: release.language?.value ?? "en",
                               releaseId: releaseId(of: release, sender: context.sender),
                               title: release.title, subtitle: release.subtitle)
    }

    /// The hash algorithm written for files in this profile's ERN version, with a warning when the
    /// profile's choice had to be replaced.
    ///
    /// One only: both XSDs allow a single HashSum per File. ERN 3.8.2's AVS has no SHA-256, so a 3.8.2
    /// profile asking only for SHA-256 gets MD5 (ERN.md §2.4, pitfall 10).
    public static func hashAlgorithm(for profile: DSPProfile) -> (HashAlgorithm, Problem?) {
        let supported: [HashAlgorithm] = profile.ernVersion == .ern43 ? [.md5, .sha256] : [.md5]
        if let first = profile.hashAlgorithms.first(where: supported.contains) { return (first, nil) }
        let problem = Problem.warning(.ernHashAlgorithmSubstituted, at: "dsp.\(profile.name).hash_algorithms",
                                      "ERN \(profile.ernVersion.rawValue) cannot carry \(profile.hashAlgorithms.map(\.rawValue).joined(separator: ", ")); MD5 is written instead")
        return (.md5, problem)
    }

    /// The NewReleaseMessage (a takedown when the release asks for one), or nil with the errors that prevent
    /// it (a track or cover without measured details); warnings come with the message (a substituted hash
    /// algorithm, a deal whose ISRCs name no track).
    public static func newRelease(for validated: ValidatedRelease, context: ERNBuildContext) -> (ERNNewReleaseMessage?, [Problem]) {
        var assembly = NewReleaseAssembly(validated: validated, context: context)
        return assembly.message()
    }

    /// The message's release identifiers: those of the release, as they are.
    static func releaseId(of release: Release, sender: SenderSettings) -> ERNReleaseId {
        ERNReleaseId(grid: release.grid, icpn: release.icpn, catalogNumber: release.catalogNumber,
                     proprietaryIds: release.proprietaryIds)
    }
}
