import DDEXConfig
import DDEXModel

/// The DSPs a release goes to: the one rule `ddexd validate`, the daemon's intake and bundling, and the
/// status files share.
///
/// The release's own `dsps` list when it has one, else its account's `dsps` list when that is not empty,
/// else every enabled DSP profile. A DSP the release names that cannot be a target is refused with a reason:
/// no such profile (`DSP_UNKNOWN`), a disabled profile, or one the account may not deliver to
/// (`DSP_NOT_TARGETED`).
public struct DeliveryTargets: Sendable {
    /// The profiles the release goes to, in name order.
    public var profiles: [DSPProfile]
    /// DSPs the release names that it cannot go to, each with its one problem.
    public var refused: [DSPVerdict]

    /// The targets by the rule above; `account` is the inbound account the package came from (nil: no account list
    /// applies).
    public init(release: Release, account: String?, configuration: Configuration) {
        let accountList = account.flatMap { configuration.accounts[$0]?.dsps } ?? []
        guard let named = release.dsps else {
            let enabled = configuration.enabledDSPs
            profiles = accountList.isEmpty ? enabled : enabled.filter { accountList.contains($0.name) }
            refused = []
            return
        }
        var profiles: [DSPProfile] = []
        var refused: [DSPVerdict] = []
        for name in Set(named).sorted() {
            guard let profile = configuration.dsps[name] else {
                let known = configuration.dsps.keys.sorted().joined(separator: ", ")
                refused.append(DSPVerdict(dsp: name, problem: .error(.dspUnknown, at: "release.dsps",
                                                                      "the release names '\(TextRules.escaped(name))', which no DSP profile configures (configured: \(known))")))
                continue
            }
            if !profile.enabled {
                refused.append(DSPVerdict(dsp: name, problem: .error(.dspNotTargeted, at: "release.dsps",
                                                                      "the release names \(name), whose profile is disabled (enabled = false)")))
            } else if let account, !accountList.isEmpty, !accountList.contains(name) {
                refused.append(DSPVerdict(dsp: name, problem: .error(.dspNotTargeted, at: "release.dsps",
                                                                      "account \(account) delivers only to \(accountList.joined(separator: ", ")) (accounts.\(account).dsps)")))
            } else {
                profiles.append(profile)
            }
        }
        self.profiles = profiles
        self.refused = refused
    }
}
