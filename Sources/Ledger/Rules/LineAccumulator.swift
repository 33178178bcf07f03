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

    /// The statement breakdown (with `collectDetail`).
    var breakdown = BreakdownTable()
    /// Per account, its activity (with `collectDetail`); by DSP, territory and month added per summary.
    var accountTotals: [AccountTotals]
    /// Per track: its lines' amounts and usages, and whether it had any line (with `collectDetail`).
    var trackGross: [Int64]
    var trackUsages: [Int64]
    var trackSeen: [Bool]
    /// The previous matched line's breakdown key (payee aside) and the rows its shares went to, one per payee of
    /// its split.
    private var lastKey = BreakdownTable.Key(payee: -1, dsp: -1, territory: -1, release: -1, track: -1, useType: -1)
    private var lastRows: [Int32]
    /// Per account: the matched lines of the current summary and their amounts.
    private var summaryLines: [Int]
    private var summaryGross: [Int64]

    /// The current line's payee shares and their commission parts (scratch, one entry per payee of its split).
    private var shares: [Int64]
    private var commissionShares: [Int64]
    private var remainders: [UInt64]

    struct AccountTotals {
        var gross: Int64 = 0
        var commission: Int64 = 0
        var usages: Int64 = 0
        var byDSP: [Int32: Int64] = [:]
        var byTerritory: [Int32: Int64] = [:]
        var byMonth: [Int32: Int64] = [:]
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
        accountTotals = collectDetail ? Array(repeating: AccountTotals(), count: engine.accounts.count) : []
        trackGross = collectDetail ? Array(repeating: 0, count: engine.tracks.count) : []
        trackUsages = collectDetail ? Array(repeating: 0, count: engine.tracks.count) : []
        trackSeen = collectDetail ? Array(repeating: false, count: engine.tracks.count) : []
        summaryGross = Array(repeating: 0, count: engine.accounts.count)
        summaryLines = Array(repeating: 0, count: engine.accounts.count)
        shares = Array(repeating: 0, count: engine.maxSplitCount)
        commissionShares = Array(repeating: 0, count: engine.maxSplitCount)
        remainders = Array(repeating: 0, count: engine.maxSplitCount)
        lastRows = Array(repeating: 0, count: engine.maxSplitCount)
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
    @inline(__always)
    private mutating func collect(_ line: ResolvedLine, track: LedgerEngine.Track, amount: Int64, commission c: Int64, count: Int,
                                  context: SummaryContext)
    {
        let start = Int(track.splitStart)
        var key = BreakdownTable.Key(payee: -1, dsp: context.dsp, territory: context.territory, release: line.release, track: line.track,
                                     useType: line.useType)
        if key == lastKey {
            for j in 0..<count { breakdown.add(toRow: lastRows[j], usages: line.usages, commission: commissionShares[j], net: shares[j]) }
        } else {
            lastKey = key
            for j in 0..<count {
                key.payee = splitPayees[start + j]
                lastRows[j] = breakdown.add(key, usages: line.usages, commission: commissionShares[j], net: shares[j])
            }
        }
        let a = Int(track.account)
        accountTotals[a].gross &+= amount
        accountTotals[a].commission &+= c
        accountTotals[a].usages &+= line.usages
        summaryGross[a] &+= amount
        summaryLines[a] += 1
        let t = Int(line.track)
        trackGross[t] &+= amount
        trackUsages[t] &+= line.usages
        trackSeen[t] = true
    }

    /// Adds the summary's amounts per account to the accounts' activity by DSP, territory and month (constant
    /// within a summary, so added once per summary rather than per line).
    mutating func endSummary(_ context: SummaryContext) {
        guard collectDetail else { return }
        for a in summaryGross.indices where summaryLines[a] > 0 {
            let amount = summaryGross[a]
            accountTotals[a].byDSP[context.dsp, default: 0] &+= amount
            accountTotals[a].byTerritory[context.territory, default: 0] &+= amount
            accountTotals[a].byMonth[context.month, default: 0] &+= amount
            summaryGross[a] = 0
            summaryLines[a] = 0
        }
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

