import DDEXConfig
import DDEXModel

/// The distributor's commission in basis points: a DSP's rate overrides the account's, which overrides the
/// configured default (ACCOUNTING.md §4).
public struct CommissionPolicy: Sendable, Hashable {
    public var defaultBasisPoints: Int
    public var byAccount: [String: Int]
    public var byDSP: [String: Int]

    public init(defaultBasisPoints: Int, byAccount: [String: Int] = [:], byDSP: [String: Int] = [:]) {
        self.defaultBasisPoints = defaultBasisPoints
        self.byAccount = byAccount
        self.byDSP = byDSP
    }

    /// The policy a configuration describes.
    public init(configuration: Configuration) {
        self.init(defaultBasisPoints: configuration.accounting.commissionBasisPoints,
                  byAccount: configuration.accounts.compactMapValues(\.commissionBasisPoints),
                  byDSP: configuration.dsps.compactMapValues(\.commissionBasisPoints))
    }

    /// The rate for a line of a track of `account` reported by `dsp`.
    public func basisPoints(account: String, dsp: String) -> Int {
        byDSP[dsp] ?? byAccount[account] ?? defaultBasisPoints
    }

    /// round_half_even(a · bp / 10000), in 128-bit intermediates; nil only if bp is out of 0...10000.
    public static func commission(on amount: Int64, basisPoints bp: Int) -> Int64? {
        guard (0...10_000).contains(bp) else { return nil }
        return WideArithmetic.scaleHalfEven(amount, numerator: UInt64(bp), denominator: 10_000)
    }
}
