import DDEXConfig
import DDEXModel

/// Whether one DSP would take a release, and if not, why: what `ddexd validate` prints per DSP, and what the
/// daemon's rejection report and package status file say for it.
public struct DSPVerdict: Sendable, Codable, Hashable {
    public var dsp: String
    /// True when the DSP would take the release (its problems are warnings at most).
    public var deliverable: Bool
    /// The ERN version the DSP is sent; nil for a DSP with no profile.
    public var ernVersion: String?
    public var problems: [Problem]

    public init(dsp: String, ernVersion: ERNVersion?, problems: [Problem]) {
        self.dsp = dsp
        deliverable = !problems.hasErrors
        self.ernVersion = ernVersion?.rawValue
        self.problems = problems
    }

    /// A DSP refused for one reason before its checks could run (unknown, disabled, not the account's).
    init(dsp: String, problem: Problem) {
        self.init(dsp: dsp, ernVersion: nil, problems: [problem])
    }

    /// Judges every target DSP of a validated release with `builder.preflight` (the checks `ddexd build` makes).
    ///
    /// `only` narrows the judgement to those DSP names (`validate --dsp`): each must be configured
    /// (`DSP_UNKNOWN`) and a target of the release (`DSP_NOT_TARGETED`). Verdicts come in DSP name order.
    public static func judge(_ validated: ValidatedRelease, account: String?, configuration: Configuration,
                             builder: BundleBuilder, only: [String]? = nil) -> [DSPVerdict]
    {
        let targets = DeliveryTargets(release: validated.release, account: account, configuration: configuration)
        var verdicts = targets.refused
        for profile in targets.profiles {
            verdicts.append(DSPVerdict(dsp: profile.name, ernVersion: profile.ernVersion,
                                       problems: builder.preflight(validated, for: profile)))
        }
        if let only {
            let judged = Set(verdicts.map(\.dsp))
            verdicts = verdicts.filter { only.contains($0.dsp) }
            for name in Set(only).subtracting(judged) {
                let problem: Problem = configuration.dsps[name] == nil
                    ? .error(.dspUnknown, at: "--dsp", "no DSP profile named \(TextRules.escaped(name)) (configured: \(configuration.dsps.keys.sorted().joined(separator: ", ")))")
                    : .error(.dspNotTargeted, at: "--dsp", "\(name) is not a target of this release: \(Self.targetRule(validated.release, account: account))")
                verdicts.append(DSPVerdict(dsp: name, problem: problem))
            }
        }
        return verdicts.sorted { $0.dsp < $1.dsp }
    }

    private static func targetRule(_ release: Release, account: String?) -> String {
        if let dsps = release.dsps { return "the release names \(dsps.joined(separator: ", "))" }
        if let account { return "account \(account) delivers only to its dsps list, or the profile is disabled" }
        return "its profile is disabled"
    }
}
