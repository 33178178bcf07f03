import DDEXModel

/// The per-line rules of a run (ACCOUNTING.md §4 commission, §5 splits) and the sums they feed.
///
/// A value type on purpose: the hot loop runs ten million times a run, and every access to a class's stored
/// array costs a dynamic exclusivity check; a struct mutated in place costs none.
struct LineAccumulator {
    private let tracks: [LedgerEngine.Track]
    private let splitPayees: [Int32]
    private let splitWeights: [UInt64]
    private let dropPayeeMicro: Bool
    let collectDetail: Bool

    // Totals, each accumulated on its own so the invariant compares independent sums.
    var total: Int64 = 0
    var commission: Int64 = 0
    var unmatched: Int64 = 0
    var earnings: [Int64]
    var payeeCommission: [Int64]
    /// Per account (by id): matched lines, their amounts and their commission (ACCOUNTING.md §7, per account).
    var accountLines: [Int]
    var accountTotal: [Int64]
    var accountCommission: [Int64]

    /// The statement breakdown, per payee (with `collectDetail`).
    var detail: [[DetailKey: DetailValue]]
    var accountTotals: [AccountTotals]

    /// The current line's payee shares and their commission parts (scratch, one entry per payee of its split).
    private var shares: [Int64]
    private var commissionShares: [Int64]
    private var remainders: [UInt64]

    struct DetailKey: Hashable {
        var dsp: Int32
        var territory: Int32
        var release: Int32
        var track: Int32
        var useType: Int32
    }

    struct DetailValue {
        var usages: Int64 = 0
        var commission: Int64 = 0
        var net: Int64 = 0
    }

    struct AccountTotals {
        var gross: Int64 = 0
        var commission: Int64 = 0
        var usages: Int64 = 0
        var byDSP: [Int32: Int64] = [:]
        var byTerritory: [Int32: Int64] = [:]
        var byMonth: [Int32: Int64] = [:]
        var byTrack: [Int32: (gross: Int64, usages: Int64)] = [:]
    }

    /// What the lines of one summary share: where they come from, and the commission rate per account.
    struct SummaryContext {
        var place: String
        /// The DSP's name (commission rates are per DSP).
        var dspName: String
        var dsp: Int32
        var territory: Int32
        var month: Int32
        /// Basis points per account id, -1 until looked up (the rate depends on the DSP).
        var commissionRates: [Int]
    }

    init(engine: LedgerEngine, collectDetail: Bool) {
        tracks = engine.tracks
        splitPayees = engine.splitPayees
        splitWeights = engine.splitWeights
        dropPayeeMicro = engine.fault == .dropPayeeMicro
        self.collectDetail = collectDetail
        earnings = Array(repeating: 0, count: engine.payees.count)
        payeeCommission = Array(repeating: 0, count: engine.payees.count)
        accountLines = Array(repeating: 0, count: engine.accounts.count)
        accountTotal = Array(repeating: 0, count: engine.accounts.count)
        accountCommission = Array(repeating: 0, count: engine.accounts.count)
        detail = collectDetail ? Array(repeating: [:], count: engine.payees.count) : []
        accountTotals = collectDetail ? Array(repeating: AccountTotals(), count: engine.accounts.count) : []
        shares = Array(repeating: 0, count: engine.maxSplitCount)
        commissionShares = Array(repeating: 0, count: engine.maxSplitCount)
        remainders = Array(repeating: 0, count: engine.maxSplitCount)
    }

    /// Applies commission and splits to a matched line whose amount (its allocated share, or its own money,
    /// converted) is `amount`. Returns false when a sum overflows 64 bits.
    @inline(__always)
    mutating func applyMatched(_ line: ResolvedLine, amount: Int64, basisPoints: Int, context: SummaryContext) -> Bool {
        let track = tracks[Int(line.track)]
        // |c| ≤ |amount| with the same sign, so `net` cannot overflow.
        guard let c = CommissionPolicy.commission(on: amount, basisPoints: basisPoints) else { return false }
        let net = amount - c
        var overflow = false
        add(&commission, c, &overflow)
        let a = Int(track.account)
        accountLines[a] += 1
        add(&accountTotal[a], amount, &overflow)
        accountCommission[a] &+= c  // bounded by the account's total in magnitude

        let start = Int(track.splitStart), count = Int(track.splitCount)
        LargestRemainder.allocateFew(net, weights: splitWeights[start..<start + count], total: 10_000, into: &shares, scratch: &remainders)
        if collectDetail {
            LargestRemainder.allocateFew(c, weights: splitWeights[start..<start + count], total: 10_000,
                                         into: &commissionShares, scratch: &remainders)
        }
        for j in 0..<count {
            let p = Int(splitPayees[start + j])
            if dropPayeeMicro { shares[j] -= 1 }
            add(&earnings[p], shares[j], &overflow)
            if collectDetail { payeeCommission[p] &+= commissionShares[j] }
        }
        if collectDetail { collect(line, track: track, amount: amount, commission: c, count: count, context: context) }
        return !overflow
    }

    /// The breakdown rows and the account's activity of a matched line.
    private mutating func collect(_ line: ResolvedLine, track: LedgerEngine.Track, amount: Int64, commission c: Int64, count: Int,
                                  context: SummaryContext)
    {
        let key = DetailKey(dsp: context.dsp, territory: context.territory, release: line.release, track: line.track, useType: line.useType)
        let start = Int(track.splitStart)
        for j in 0..<count {
            let p = Int(splitPayees[start + j])
            detail[p][key, default: DetailValue()].add(usages: line.usages, commission: commissionShares[j], net: shares[j])
        }
        let a = Int(track.account)
        accountTotals[a].gross &+= amount
        accountTotals[a].commission &+= c
        accountTotals[a].usages &+= line.usages
        accountTotals[a].byDSP[context.dsp, default: 0] &+= amount
        accountTotals[a].byTerritory[context.territory, default: 0] &+= amount
        accountTotals[a].byMonth[context.month, default: 0] &+= amount
        accountTotals[a].byTrack[line.track, default: (0, 0)].gross &+= amount
        accountTotals[a].byTrack[line.track, default: (0, 0)].usages &+= line.usages
    }

    /// The account id of `track`.
    @inline(__always) func account(of track: Int32) -> Int32 { tracks[Int(track)].account }

    @inline(__always)
    private func add(_ sum: inout Int64, _ value: Int64, _ overflow: inout Bool) {
        let (s, o) = sum.addingReportingOverflow(value)
        sum = s
        overflow = overflow || o
    }
}

extension LineAccumulator.DetailValue {
    @inline(__always)
    mutating func add(usages u: Int64, commission c: Int64, net n: Int64) {
        usages &+= u
        commission &+= c
        net &+= n
    }
}
