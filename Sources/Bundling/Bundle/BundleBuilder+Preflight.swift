import DDEXConfig
import DDEXModel
import ERN

extension BundleBuilder {
    /// The MessageId of messages built only to be checked: never written, never sent, never recorded.
    static let preflightMessageId = "ddexd-preflight"

    /// Whether this DSP would take the release: every check `build` makes before it writes a byte — the
    /// profile's suitability (`DSPSuitability`), the folder and resource names, the ERN message it would write
    /// and the semantic checks on it — with nothing written and no MessageId issued. Errors mean `build`
    /// would refuse; otherwise the warnings it would give.
    ///
    /// `ddexd validate` and the daemon's intake judge each target DSP with this, so what they say is what
    /// `ddexd build` and the delivery do.
    public func preflight(_ validated: ValidatedRelease, for profile: DSPProfile) -> [Problem] {
        let names: [String: String]
        switch checkNames(validated, for: profile) {
        case .failure(let refusal): return refusal.problems
        case .success(let n): names = n
        }
        switch prepareMessage(validated, for: profile, names: names, messageId: Self.preflightMessageId, at: clock()) {
        case .failure(let refusal): return refusal.problems
        case .success(let prepared): return prepared.warnings
        }
    }

    /// Why a DSP cannot have a bundle.
    struct Refusal: Error {
        var problems: [Problem]
    }

    /// A message ready to write, with the context it was built in and the warnings building it gave.
    struct PreparedMessage {
        var message: ERNMessage
        var context: ERNBuildContext
        var warnings: [Problem]
    }

    /// The profile's suitability, then the names the bundle's folder and resources would get (file path →
    /// name under the profile's resource naming), which must be safe and must not clash.
    func checkNames(_ validated: ValidatedRelease, for profile: DSPProfile) -> Result<[String: String], Refusal> {
        let release = validated.release
        let refused = DSPSuitability.problems(for: validated, profile: profile)
        guard !refused.hasErrors else { return .failure(Refusal(problems: refused)) }
        let releaseId = release.primaryId
        guard BundleLayout.isSafeName(releaseId), BundleLayout.isSafeName(profile.name) else {
            return .failure(Refusal(problems: [.error(.bundleIOFailed, at: "dsp.\(profile.name)",
                                                      "the release id \(releaseId) or DSP name \(profile.name) cannot be used as a folder name")]))
        }
        let names = profile.resourceNaming.fileNames(for: release)
        var byName: [String: String] = [:]
        for file in release.resourceFiles {
            guard let name = names[file.path] else { continue }
            if let other = byName[name] {
                return .failure(Refusal(problems: [.error(.bundleResourceNameClash, at: "dsp.\(profile.name): \(file.path)",
                                                          "\(file.path) and \(other) would both be named resources/\(name) (resource naming \(profile.resourceNaming.rawValue))")]))
            }
            guard BundleLayout.isSafeName(name) else {
                return .failure(Refusal(problems: [.error(.bundleResourceNameClash, at: "dsp.\(profile.name): \(file.path)",
                                                          "resources/\(name) is not a safe file name")]))
            }
            byName[name] = file.path
        }
        return .success(names)
    }

    /// The ERN message for this DSP, checked by the rules the schema cannot express (`ERNSemanticChecker`).
    func prepareMessage(_ validated: ValidatedRelease, for profile: DSPProfile, names: [String: String], messageId: String,
                        at now: MessageTimestamp) -> Result<PreparedMessage, Refusal>
    {
        let context = ERNBuildContext(sender: sender, profile: profile, messageId: messageId, createdAt: now,
                                      resourceURIs: names.mapValues { "resources/" + $0 })
        let (built, problems) = ERNMessageBuilder.message(for: validated, context: context)
        guard var message = built, !problems.hasErrors else { return .failure(Refusal(problems: problems)) }
        if case .newRelease(var m) = message {
            // A takedown travels without its files.
            m.resourcesProvided = !m.isTakedown
            let semantic = ERNSemanticChecker.check(m)
            guard !semantic.hasErrors else { return .failure(Refusal(problems: semantic)) }
            message = .newRelease(m)
        }
        return .success(PreparedMessage(message: message, context: context, warnings: problems.warnings))
    }
}
