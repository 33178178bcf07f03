import DDEXModel

/// The accumulators of one statement run and the per-summary, per-line rules.
final class LedgerRun {
    private let engine: LedgerEngine
    private let period: StatementPeriod
    private let options: LedgerRunOptions
    private let location: String

    // Totals, each accumulated on its own so the invariant compares independent sums.
    private var total: Int64 = 0
    private var commission: Int64 = 0
    private var unmatched: Int64 = 0
    private var unallocated: Int64 = 0
    private var earnings: [Int64]
    private var payeeCommission: [Int64]
    private var lineCount = 0
    /// Per account (by id): matched lines, their amounts and their commission (ACCOUNTING.md §7, per account).
    private var accountLines: [Int]
    private var accountTotal: [Int64]
    private var accountCommission: [Int64]
    private var reportIds: Set<String> = []
    private var outcomes: [SummaryOutcome] = []
    private var problems: [Problem] = []

    // Unmatched lines per key.
    private var unmatchedEntries: [String: UnmatchedEntry] = [:]

    // Detail (statement breakdown and account activity).
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

    private var detail: [[DetailKey: DetailValue]]
    private var accountTotals: [AccountTotals]
    private var dsps = Interner()
    private var territories = Interner()
    private var releases = Interner()
    private var useTypes = Interner()
    private var months = Interner()

    // Scratch buffers reused across summaries and lines.
    private var usageBuffer: [UInt64] = []
    private var shareBuffer: [Int64]
    private var commissionShareBuffer: [Int64]
    private var remainderBuffer: [UInt64]

    init(engine: LedgerEngine, period: StatementPeriod, options: LedgerRunOptions) {
        self.engine = engine
        self.period = period
        self.options = options
        self.location = "statement run \(period)"
        earnings = Array(repeating: 0, count: engine.payees.count)
        payeeCommission = Array(repeating: 0, count: engine.payees.count)
        accountLines = Array(repeating: 0, count: engine.accounts.count)
        accountTotal = Array(repeating: 0, count: engine.accounts.count)
        accountCommission = Array(repeating: 0, count: engine.accounts.count)
        detail = options.collectDetail ? Array(repeating: [:], count: engine.payees.count) : []
        accountTotals = options.collectDetail ? Array(repeating: AccountTotals(), count: engine.accounts.count) : []
        shareBuffer = Array(repeating: 0, count: engine.maxSplitCount)
        commissionShareBuffer = Array(repeating: 0, count: engine.maxSplitCount)
        remainderBuffer = Array(repeating: 0, count: engine.maxSplitCount)
    }

    // MARK: Checked arithmetic

    @inline(__always)
    private func add(_ sum: inout Int64, _ value: Int64, _ what: @autoclosure () -> String) throws {
        let (s, o) = sum.addingReportingOverflow(value)
        guard !o else {
            throw LedgerError(.ledgerAmountOverflow, at: location, "\(what()) overflows 64-bit micro-units")
        }
        sum = s
    }

    // MARK: Summaries

    func process<Lines: LineSequence>(_ summary: SummaryInput, _ lines: Lines) throws {
        let place = "report \(summary.report.id) summary \(summary.summaryId)"
        reportIds.insert(summary.report.id)
        let accounting = engine.settings.accountingCurrency

        // 1. Currency.
        var rate: ExchangeRate?
        var source = SummaryOutcome.RateSource.none
        if summary.currency != accounting {
            if let r = engine.rates.rate(for: summary.currency, start: summary.report.usageStart, end: summary.report.usageEnd) {
                rate = r
                source = .table
            } else if let r = summary.exchangeRate {
                rate = r
                source = .summary
            }
        }
        var outcome = SummaryOutcome(reportId: summary.report.id, dsp: summary.report.dsp, month: summary.report.month, summaryId: summary.summaryId,
                                     territory: summary.territory, commercialModel: summary.commercialModel,
                                     currency: summary.currency, netRevenue: summary.netRevenue, rate: rate,
                                     rateSource: source, converted: nil, lines: 0, usages: 0,
                                     totalUsages: summary.totalUsages, allocated: .zero, unallocated: .zero)
        if summary.currency != accounting, rate == nil {
            // Held unconverted: counted and reported, never guessed.
            var n = 0
            var usages: Int64 = 0
            try lines.forEachUsage { u, _ in n += 1; usages &+= u }
            lineCount += n
            outcome.lines = n
            outcome.usages = usages
            outcomes.append(outcome)
            problems.append(.warning(.ledgerSummaryUnconverted, at: place,
                                     "no rate from \(summary.currency) to \(accounting) for \(summary.report.usageStart)--\(summary.report.usageEnd); \(summary.netRevenue) \(summary.currency) is held unconverted"))
            return
        }
        let amount: Int64
        if let rate {
            guard let a = rate.convert(summary.netRevenue) else {
                throw LedgerError(.ledgerAmountOverflow, at: place, "\(summary.netRevenue) × \(rate) overflows 64-bit micro-units")
            }
            amount = a.micro
        } else {
            amount = summary.netRevenue.micro
        }
        outcome.converted = MicroAmount(micro: amount)
        try add(&total, amount, "the total of converted summaries")

        // 2. Allocation, first pass: the usage counts of the lines without their own money.
        usageBuffer.removeAll(keepingCapacity: true)
        var passCount = 0
        var usageSum: UInt64 = 0
        try lines.forEachUsage { u, own in
            guard u >= 0 else {
                throw LedgerError(.ledgerInputInconsistent, at: place, "a line has a negative usage count \(u)")
            }
            passCount += 1
            if !own {
                usageBuffer.append(UInt64(u))
                usageSum &+= UInt64(u)
            }
        }
        let allocatedLines = usageBuffer.count
        var overflow = false
        var allocation = SummaryAllocation.prepare(amount: amount, usages: &usageBuffer, overflow: &overflow)
        if overflow {
            throw LedgerError(.ledgerAmountOverflow, at: place, "the usage counts of the summary's lines overflow 64 bits")
        }
        var summaryUnallocated: Int64 = 0
        if allocation == nil, amount != 0 {
            summaryUnallocated = amount
            if fault != .skipUnallocated { try add(&unallocated, amount, "the unallocated bucket") }
        }
        if let stated = summary.totalUsages, allocation?.totalUsages ?? 0 != UInt64(max(stated, 0)) || stated < 0 {
            problems.append(.warning(.ledgerUsageMismatch, at: place,
                                     "TotalUsages is \(stated) but the lines add up to \(allocation?.totalUsages ?? 0); allocation uses the lines"))
        }

        // Second pass: every line, with its share.
        let dspId = options.collectDetail ? dsps.id(summary.report.dsp) : 0
        let territoryId = options.collectDetail ? territories.id(summary.territory) : 0
        var commissionRates = [Int](repeating: -1, count: engine.accounts.count)
        var seen = 0
        var seenAllocated = 0
        var secondUsageSum: UInt64 = 0
        var allocatedSum: Int64 = 0
        var summaryUsages: Int64 = 0
        var context = LineContext(place: place, dsp: dspId, territory: territoryId, dspName: summary.report.dsp,
                                  month: options.collectDetail ? months.id(summary.report.month) : 0)
        try lines.forEachLine { line in
            seen += 1
            guard seen <= passCount, line.usages >= 0 else {
                throw LedgerError(.ledgerInputInconsistent, at: place, "the summary's lines changed between the two passes")
            }
            summaryUsages &+= line.usages
            let share: Int64
            if let own = line.ownAmount {
                // Lines with their own money use it directly, converted like their summary.
                if let rate {
                    guard let converted = rate.convert(own) else {
                        throw LedgerError(.ledgerAmountOverflow, at: place, "a line amount \(own) × \(rate) overflows")
                    }
                    share = converted.micro
                } else {
                    share = own.micro
                }
                try add(&total, share, "the total with lines' own amounts")
            } else {
                seenAllocated += 1
                secondUsageSum &+= UInt64(line.usages)
                share = allocation?.share(usages: UInt64(line.usages)) ?? 0
                try add(&allocatedSum, share, "the allocated amount")
            }
            try self.process(line, amount: share, context: &context, commissionRates: &commissionRates)
        }
        guard seen == passCount, seenAllocated == allocatedLines, secondUsageSum == usageSum else {
            throw LedgerError(.ledgerInputInconsistent, at: place, "the summary's lines changed between the two passes")
        }
        // Every summary's lines add up to its amount, or the rest is unallocated.
        guard allocatedSum &+ summaryUnallocated == amount else {
            throw LedgerError(.ledgerInvariantBroken, at: place,
                              "the lines' shares (\(allocatedSum)) and unallocated (\(summaryUnallocated)) do not add up to the summary's \(amount) micro-units")
        }
        lineCount += passCount
        outcome.lines = passCount
        outcome.usages = summaryUsages
        outcome.allocated = MicroAmount(micro: allocatedSum)
        outcome.unallocated = MicroAmount(micro: summaryUnallocated)
        outcomes.append(outcome)
    }

    // MARK: Lines

    struct LineContext {
        var place: String
        var dsp: Int32
        var territory: Int32
        var dspName: String
        /// The report's usage month (`YYYY-MM` of its start).
        var month: Int32
        var lastISRC: String?
        var lastTrack: Int32 = -1
        var lastRelease: String?
        var lastReleaseId: Int32 = -1
        var lastUseType: String?
        var lastUseTypeId: Int32 = -1
    }

    @inline(__always)
    private func match(_ line: UsageLine, _ context: inout LineContext) -> Int32 {
        if let isrc = line.isrc {
            if isrc == context.lastISRC { if context.lastTrack >= 0 { return context.lastTrack } } else {
                let t = engine.isrcIndex[isrc] ?? -1
                context.lastISRC = isrc
                context.lastTrack = t
                if t >= 0 { return t }
            }
        }
        if let icpn = line.releaseICPN, let resource = line.dspResourceId,
           let t = engine.mappingIndex[LedgerEngine.mappingKey(icpn, resource)]
        {
            return t
        }
        return -1
    }

    private func process(_ line: UsageLine, amount: Int64, context: inout LineContext, commissionRates: inout [Int]) throws {
        // 3. Matching.
        let t = match(line, &context)
        guard t >= 0, engine.tracks[Int(t)].splitCount > 0 else {
            try addUnmatched(line, amount: amount, reason: t >= 0 ? .noSplit : .notInCatalogue)
            return
        }
        let track = engine.tracks[Int(t)]

        // 4. Commission.
        var bp = commissionRates[Int(track.account)]
        if bp < 0 {
            bp = engine.settings.commission.basisPoints(account: engine.accounts[track.account], dsp: context.dspName)
            commissionRates[Int(track.account)] = bp
        }
        guard let c = CommissionPolicy.commission(on: amount, basisPoints: bp) else {
            throw LedgerError(.ledgerAmountOverflow, at: context.place, "commission of \(bp) bp is outside 0...10000")
        }
        try add(&commission, c, "the commission")
        let net = amount - c  // |c| ≤ |amount|, same sign: no overflow
        let a = Int(track.account)
        accountLines[a] += 1
        try add(&accountTotal[a], amount, "the total of account \(engine.accounts[track.account])")
        accountCommission[a] &+= c  // bounded by the account's total in magnitude

        // 5. Splits.
        let start = Int(track.splitStart)
        let count = Int(track.splitCount)
        splitInto(&shareBuffer, net, start: start, count: count)
        var key = DetailKey(dsp: 0, territory: 0, release: 0, track: 0, useType: 0)
        if options.collectDetail {
            splitInto(&commissionShareBuffer, c, start: start, count: count)
            key = DetailKey(dsp: context.dsp, territory: context.territory, release: releaseId(line, &context), track: t,
                            useType: useTypeId(line, &context))
        }
        for j in 0..<count {
            let p = Int(engine.splitPayees[start + j])
            var share = shareBuffer[j]
            if engine.fault == .dropPayeeMicro { share -= 1 }
            try add(&earnings[p], share, "the earnings of \(engine.payees[Int32(p)])")
            if options.collectDetail {
                payeeCommission[p] &+= commissionShareBuffer[j]
                if let sink = engine.breakdownSink {
                    try sink.record(payee: engine.payees[Int32(p)], dsp: context.dspName, territory: territories[context.territory],
                                    releaseICPN: line.releaseICPN ?? "", isrc: track.isrc, useType: line.useType,
                                    usages: line.usages, commission: commissionShareBuffer[j], net: shareBuffer[j])
                } else {
                    detail[p][key, default: DetailValue()].add(usages: line.usages, commission: commissionShareBuffer[j], net: shareBuffer[j])
                }
            }
        }
        if options.collectDetail {
            accountTotals[a].gross &+= amount
            accountTotals[a].commission &+= c
            accountTotals[a].usages &+= line.usages
            accountTotals[a].byDSP[context.dsp, default: 0] &+= amount
            accountTotals[a].byTerritory[context.territory, default: 0] &+= amount
            accountTotals[a].byMonth[context.month, default: 0] &+= amount
            accountTotals[a].byTrack[t, default: (0, 0)].gross &+= amount
            accountTotals[a].byTrack[t, default: (0, 0)].usages &+= line.usages
        }
    }

    private var fault: LedgerEngine.Fault? { engine.fault }

    @inline(__always)
    private func releaseId(_ line: UsageLine, _ context: inout LineContext) -> Int32 {
        let icpn = line.releaseICPN ?? ""
        if icpn == context.lastRelease { return context.lastReleaseId }
        let id = releases.id(icpn)
        context.lastRelease = icpn
        context.lastReleaseId = id
        return id
    }

    @inline(__always)
    private func useTypeId(_ line: UsageLine, _ context: inout LineContext) -> Int32 {
        if line.useType == context.lastUseType { return context.lastUseTypeId }
        let id = useTypes.id(line.useType)
        context.lastUseType = line.useType
        context.lastUseTypeId = id
        return id
    }

    /// Shares `amount` over the split at `start..<start+count` (weights in bp, Σ = 10000) by largest remainder,
    /// into `out[0..<count]`, without allocating (once or twice per usage line).
    @inline(__always)
    private func splitInto(_ out: inout [Int64], _ amount: Int64, start: Int, count: Int) {
        LargestRemainder.allocateFew(amount, weights: engine.splitWeights[start..<start + count], total: 10_000,
                                     into: &out, scratch: &remainderBuffer)
    }

    private func addUnmatched(_ line: UsageLine, amount: Int64, reason: UnmatchedReason) throws {
        try add(&unmatched, amount, "the unmatched bucket")
        let key: String
        if let isrc = line.isrc {
            key = isrc
        } else if let icpn = line.releaseICPN, let resource = line.dspResourceId {
            key = icpn + "/" + resource
        } else {
            key = "(no identifier)"
        }
        var entry = unmatchedEntries[key] ?? UnmatchedEntry(key: key, isrc: line.isrc, releaseICPNs: [],
                                                            dspResourceId: line.dspResourceId, reason: reason,
                                                            lines: 0, usages: 0, amount: .zero)
        entry.lines += 1
        entry.usages &+= line.usages
        var sum = entry.amount.micro
        try add(&sum, amount, "the unmatched amount of \(key)")
        entry.amount = MicroAmount(micro: sum)
        if let icpn = line.releaseICPN, !entry.releaseICPNs.contains(icpn), entry.releaseICPNs.count < 16 {
            entry.releaseICPNs.append(icpn)
        }
        unmatchedEntries[key] = entry
    }

    // MARK: Result

    func finish() throws -> LedgerResult {
        // 7. The invariant, from independent sums.
        var shares: Int64 = 0
        for e in earnings { try add(&shares, e, "the sum of payee shares") }
        var right = shares
        try add(&right, commission, "shares + commission")
        try add(&right, unmatched, "shares + commission + unmatched")
        try add(&right, unallocated, "shares + commission + unmatched + unallocated")
        guard right == total else {
            throw LedgerError(.ledgerInvariantBroken, at: location,
                              "Σ converted summaries \(MicroAmount(micro: total)) ≠ payee shares \(MicroAmount(micro: shares)) + commission \(MicroAmount(micro: commission)) + unmatched \(MicroAmount(micro: unmatched)) + unallocated \(MicroAmount(micro: unallocated)) (difference \(total &- right) micro-units); no statement is produced")
        }

        // The breakdown: sorted by integer ranks of the interned names (comparing strings per row is slow at
        // millions of rows), converted payee by payee, each payee's dictionary freed as soon as it is read.
        func ranks(_ names: [String]) -> [Int32] {
            var rank = [Int32](repeating: 0, count: names.count)
            for (r, i) in names.indices.sorted(by: { names[$0] < names[$1] }).enumerated() { rank[i] = Int32(r) }
            return rank
        }
        let dspRank = ranks(dsps.names), territoryRank = ranks(territories.names), releaseRank = ranks(releases.names)
        let useTypeRank = ranks(useTypes.names), trackRank = options.collectDetail ? ranks(engine.tracks.map(\.isrc)) : []
        var payeeByAccount = options.collectDetail ? Array(repeating: [Int64](repeating: 0, count: engine.payees.count), count: engine.accounts.count) : []

        var payeeResults: [PayeeEarnings] = []
        payeeResults.reserveCapacity(engine.payees.count)
        for p in 0..<engine.payees.count {
            var lines: [EarningsLine] = []
            if options.collectDetail {
                var entries = Array(detail[p])
                detail[p] = [:]
                entries.sort { a, b in
                    let x = a.key, y = b.key
                    if x.dsp != y.dsp { return dspRank[Int(x.dsp)] < dspRank[Int(y.dsp)] }
                    if x.territory != y.territory { return territoryRank[Int(x.territory)] < territoryRank[Int(y.territory)] }
                    if x.release != y.release { return releaseRank[Int(x.release)] < releaseRank[Int(y.release)] }
                    if x.track != y.track { return trackRank[Int(x.track)] < trackRank[Int(y.track)] }
                    return useTypeRank[Int(x.useType)] < useTypeRank[Int(y.useType)]
                }
                lines.reserveCapacity(entries.count)
                for (key, value) in entries {
                    let track = engine.tracks[Int(key.track)]
                    payeeByAccount[Int(track.account)][p] &+= value.net
                    lines.append(EarningsLine(dsp: dsps[key.dsp], territory: territories[key.territory],
                                              releaseICPN: releases[key.release], isrc: track.isrc, title: track.title,
                                              displayArtist: track.displayArtist, useType: useTypes[key.useType],
                                              usages: value.usages, commission: MicroAmount(micro: value.commission),
                                              net: MicroAmount(micro: value.net)))
                }
            }
            payeeResults.append(PayeeEarnings(payee: engine.payees[Int32(p)], earnings: MicroAmount(micro: earnings[p]),
                                              commission: MicroAmount(micro: payeeCommission[p]), lines: lines))
        }
        payeeResults.sort { $0.payee < $1.payee }

        var accountResults: [AccountActivity] = []
        if options.collectDetail {
            var byPayee = Array(repeating: [String: MicroAmount](), count: engine.accounts.count)
            for a in 0..<engine.accounts.count {
                for p in 0..<engine.payees.count where payeeByAccount[a][p] != 0 {
                    byPayee[a][engine.payees[Int32(p)]] = MicroAmount(micro: payeeByAccount[a][p])
                }
            }
            for a in 0..<engine.accounts.count {
                let totals = accountTotals[a]
                var byTrack: [String: TrackActivity] = [:]
                for (t, v) in totals.byTrack {
                    let track = engine.tracks[Int(t)]
                    byTrack[track.isrc] = TrackActivity(isrc: track.isrc, title: track.title, displayArtist: track.displayArtist,
                                                        gross: MicroAmount(micro: v.gross), usages: v.usages)
                }
                accountResults.append(AccountActivity(
                    account: engine.accounts[Int32(a)], gross: MicroAmount(micro: totals.gross),
                    commission: MicroAmount(micro: totals.commission), usages: totals.usages,
                    byDSP: Dictionary(uniqueKeysWithValues: totals.byDSP.map { (dsps[$0.key], MicroAmount(micro: $0.value)) }),
                    byTerritory: Dictionary(uniqueKeysWithValues: totals.byTerritory.map { (territories[$0.key], MicroAmount(micro: $0.value)) }),
                    byMonth: Dictionary(uniqueKeysWithValues: totals.byMonth.map { (months[$0.key], MicroAmount(micro: $0.value)) }),
                    byTrack: byTrack, byPayee: byPayee[a]))
            }
            accountResults.sort { $0.account < $1.account }
        }

        return LedgerResult(period: period, accountingCurrency: engine.settings.accountingCurrency, reportCount: reportIds.count,
                            summaryCount: outcomes.count, lineCount: lineCount, total: MicroAmount(micro: total),
                            commission: MicroAmount(micro: commission), unmatched: MicroAmount(micro: unmatched),
                            unallocated: MicroAmount(micro: unallocated), payees: payeeResults,
                            unmatchedEntries: unmatchedEntries.values.sorted { $0.key < $1.key }, summaries: outcomes,
                            accounts: accountResults, accountFigures: try accountFigures(), payeeAccounts: engine.payeeAccounts,
                            problems: problems)
    }
}

extension LedgerRun {
    /// Every account's figures, in name order, each checked: its lines' amounts = its payees' shares + its commission.
    private func accountFigures() throws -> [AccountFigures] {
        var payeesOf: [String: [String]] = [:]
        for (payee, account) in engine.payeeAccounts { payeesOf[account, default: []].append(payee) }
        var shares = Array(repeating: Int64(0), count: engine.accounts.count)
        for p in 0..<engine.payees.count {
            guard let account = engine.payeeAccounts[engine.payees[Int32(p)]], let a = engine.accounts.existing(account) else { continue }
            shares[Int(a)] &+= earnings[p]
        }
        var figures: [AccountFigures] = []
        for a in 0..<engine.accounts.count {
            let name = engine.accounts[Int32(a)]
            guard shares[a] &+ accountCommission[a] == accountTotal[a] else {
                throw LedgerError(.ledgerInvariantBroken, at: location,
                                  "account \(name): its lines' amounts \(MicroAmount(micro: accountTotal[a])) ≠ its payees' shares \(MicroAmount(micro: shares[a])) + its commission \(MicroAmount(micro: accountCommission[a])); no statement is produced")
            }
            figures.append(AccountFigures(account: name, commissionBasisPoints: engine.settings.commission.basisPoints(account: name, dsp: ""),
                                          lines: accountLines[a], total: MicroAmount(micro: accountTotal[a]),
                                          commission: MicroAmount(micro: accountCommission[a]),
                                          payees: (payeesOf[name] ?? []).sorted()))
        }
        return figures.sorted { $0.account < $1.account }
    }
}

extension LedgerRun.DetailValue {
    @inline(__always)
    mutating func add(usages u: Int64, commission c: Int64, net n: Int64) {
        usages &+= u
        commission &+= c
        net &+= n
    }
}
