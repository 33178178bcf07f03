import DDEXModel

/// One statement run: reads each summary's lines once, resolved to ids (`LineResolver`), allocates the summary's
/// amount over them (ACCOUNTING.md §1–§2) and applies the per-line rules (`LineAccumulator`).
///
/// A value type, like its parts: a run mutates its sums ten million times, and a class's stored properties
/// would cost a dynamic exclusivity check on each access.
struct LedgerRun {
    let engine: LedgerEngine
    let period: StatementPeriod
    let options: LedgerRunOptions
    let location: String

    var accumulator: LineAccumulator
    var resolver: LineResolver
    var unallocated: Int64 = 0
    var lineCount = 0
    var reportIds: Set<String> = []
    var outcomes: [SummaryOutcome] = []
    var problems: [Problem] = []
    var dsps = Interner()
    var territories = Interner()
    var months = Interner()

    // Buffers reused across summaries.
    private var kept: [ResolvedLine] = []
    private var usageBuffer: [UInt64] = []

    init(engine: LedgerEngine, period: StatementPeriod, options: LedgerRunOptions) {
        self.engine = engine
        self.period = period
        self.options = options
        self.location = "statement run \(period)"
        accumulator = LineAccumulator(engine: engine, collectDetail: options.collectDetail)
        resolver = LineResolver(engine: engine, resolvesBreakdownKeys: options.collectDetail)
    }

    // MARK: Summaries

    mutating func process<Lines: LineSequence>(_ summary: SummaryInput, _ lines: Lines) throws {
        let place = "report \(summary.report.id) summary \(summary.summaryId)"
        reportIds.insert(summary.report.id)
        var outcome = SummaryOutcome(reportId: summary.report.id, dsp: summary.report.dsp, month: summary.report.month, summaryId: summary.summaryId,
                                     territory: summary.territory, commercialModel: summary.commercialModel,
                                     currency: summary.currency, netRevenue: summary.netRevenue, rate: nil,
                                     rateSource: .none, converted: nil, lines: 0, usages: 0,
                                     totalUsages: summary.totalUsages, allocated: .zero, unallocated: .zero)
        // 1. Currency.
        let accounting = engine.settings.accountingCurrency
        if summary.currency != accounting {
            if let r = engine.rates.rate(for: summary.currency, start: summary.report.usageStart, end: summary.report.usageEnd) {
                outcome.rate = r
                outcome.rateSource = .table
            } else if let r = summary.exchangeRate {
                outcome.rate = r
                outcome.rateSource = .summary
            } else {
                // Held unconverted: counted and reported, never guessed.
                try lines.forEachCells { cells, _ in
                    outcome.lines += 1
                    outcome.usages &+= cells.usages
                }
                lineCount += outcome.lines
                outcomes.append(outcome)
                problems.append(.warning(.ledgerSummaryUnconverted, at: place,
                                         "no rate from \(summary.currency) to \(accounting) for \(summary.report.usageStart)--\(summary.report.usageEnd); \(summary.netRevenue) \(summary.currency) is held unconverted"))
                return
            }
        }
        let amount: Int64
        if let rate = outcome.rate {
            guard let a = rate.convert(summary.netRevenue) else {
                throw LedgerError(.ledgerAmountOverflow, at: place, "\(summary.netRevenue) × \(rate) overflows 64-bit micro-units")
            }
            amount = a.micro
        } else {
            amount = summary.netRevenue.micro
        }
        outcome.converted = MicroAmount(micro: amount)
        try Self.add(&accumulator.total, amount, "the total of converted summaries", at: location)

        // 2. Allocation, first half: read and resolve the lines; keep them unless the summary is too large.
        kept.removeAll(keepingCapacity: true)
        usageBuffer.removeAll(keepingCapacity: true)
        var lineTotal = 0
        var keeping = true
        try lines.forEachCells { cells, more in
            guard cells.usages >= 0 else {
                throw LedgerError(.ledgerInputInconsistent, at: place, "a line has a negative usage count \(cells.usages)")
            }
            lineTotal += 1
            if cells.ownAmountMicro == nil { usageBuffer.append(UInt64(cells.usages)) }
            if keeping {
                if kept.count < options.keptLinesLimit {
                    kept.append(resolver.resolve(cells, more))
                } else {
                    keeping = false
                    kept.removeAll()
                }
            }
        }
        var overflow = false
        let allocatedLines = usageBuffer.count
        var allocation = SummaryAllocation.prepare(amount: amount, usages: &usageBuffer, overflow: &overflow)
        if overflow {
            throw LedgerError(.ledgerAmountOverflow, at: place, "the usage counts of the summary's lines overflow 64 bits")
        }
        var summaryUnallocated: Int64 = 0
        if allocation == nil, amount != 0 {
            summaryUnallocated = amount
            if engine.fault != .skipUnallocated { try Self.add(&unallocated, amount, "the unallocated bucket", at: location) }
        }
        if let stated = summary.totalUsages, allocation?.totalUsages ?? 0 != UInt64(max(stated, 0)) || stated < 0 {
            problems.append(.warning(.ledgerUsageMismatch, at: place,
                                     "TotalUsages is \(stated) but the lines add up to \(allocation?.totalUsages ?? 0); allocation uses the lines"))
        }

        // Second half: every line, with its share.
        var context = LineAccumulator.SummaryContext(
            place: place, dspName: summary.report.dsp, dsp: options.collectDetail ? dsps.id(summary.report.dsp) : 0,
            territory: options.collectDetail ? territories.id(summary.territory) : 0,
            month: options.collectDetail ? months.id(summary.report.month) : 0,
            commissionRates: Array(repeating: -1, count: engine.accounts.count))
        var sums = SummarySums()
        if keeping {
            for line in kept {
                try apply(line, rate: outcome.rate, allocation: &allocation, sums: &sums, context: &context)
            }
        } else {
            try lines.forEachCells { cells, more in
                guard sums.lines < lineTotal, cells.usages >= 0 else {
                    throw LedgerError(.ledgerInputInconsistent, at: place, "the summary's lines changed between the two passes")
                }
                try apply(resolver.resolve(cells, more), rate: outcome.rate, allocation: &allocation, sums: &sums, context: &context)
            }
        }
        accumulator.endSummary(context)
        guard sums.lines == lineTotal, sums.allocatedLines == allocatedLines, sums.allocatedUsages == allocation?.totalUsages ?? 0 else {
            throw LedgerError(.ledgerInputInconsistent, at: place, "the summary's lines changed between the two passes")
        }
        // Every summary's lines add up to its amount, or the rest is unallocated.
        guard sums.allocated &+ summaryUnallocated == amount else {
            throw LedgerError(.ledgerInvariantBroken, at: place,
                              "the lines' shares (\(sums.allocated)) and unallocated (\(summaryUnallocated)) do not add up to the summary's \(amount) micro-units")
        }
        lineCount += lineTotal
        outcome.lines = lineTotal
        outcome.usages = sums.usages
        outcome.allocated = MicroAmount(micro: sums.allocated)
        outcome.unallocated = MicroAmount(micro: summaryUnallocated)
        outcomes.append(outcome)
    }

    /// What the second half of a summary adds up, checked against the first.
    struct SummarySums {
        var lines = 0
        var allocatedLines = 0
        var allocatedUsages: UInt64 = 0
        var allocated: Int64 = 0
        var usages: Int64 = 0
    }

    // MARK: Lines

    @inline(__always)
    private mutating func apply(_ line: ResolvedLine, rate: ExchangeRate?, allocation: inout SummaryAllocation?, sums: inout SummarySums,
                       context: inout LineAccumulator.SummaryContext) throws
    {
        sums.lines += 1
        sums.usages &+= line.usages
        let share: Int64
        if line.hasOwnAmount {
            // Lines with their own money use it directly, converted like their summary.
            if let rate {
                guard let converted = rate.convert(MicroAmount(micro: line.ownAmount)) else {
                    throw LedgerError(.ledgerAmountOverflow, at: context.place, "a line amount \(MicroAmount(micro: line.ownAmount)) × \(rate) overflows")
                }
                share = converted.micro
            } else {
                share = line.ownAmount
            }
            try Self.add(&accumulator.total, share, "the total with lines' own amounts", at: location)
        } else {
            sums.allocatedLines += 1
            sums.allocatedUsages &+= UInt64(line.usages)
            share = allocation?.share(usages: UInt64(line.usages)) ?? 0
            try Self.add(&sums.allocated, share, "the allocated amount", at: location)
        }
        guard line.track >= 0 else {
            try Self.add(&accumulator.unmatched, share, "the unmatched bucket", at: location)
            guard resolver.addUnmatched(line, amount: share) else {
                throw LedgerError(.ledgerAmountOverflow, at: context.place, "the unmatched amount of \(resolver.unmatched[Int(line.unmatchedEntry)].key) overflows 64-bit micro-units")
            }
            return
        }
        // 4. Commission, at the rate of the track's account for this DSP.
        let account = Int(accumulator.account(of: line.track))
        var basisPoints = context.commissionRates[account]
        if basisPoints < 0 {
            basisPoints = engine.settings.commission.basisPoints(account: engine.accounts[Int32(account)], dsp: context.dspName)
            guard (0...10_000).contains(basisPoints) else {
                throw LedgerError(.ledgerAmountOverflow, at: context.place, "commission of \(basisPoints) bp is outside 0...10000")
            }
            context.commissionRates[account] = basisPoints
        }
        // 5. Splits.
        guard accumulator.applyMatched(line, amount: share, basisPoints: basisPoints, context: context) else {
            throw LedgerError(.ledgerAmountOverflow, at: context.place,
                              "the commission, the total of account \(engine.accounts[Int32(account)]) or a payee's earnings overflows 64-bit micro-units")
        }
    }

    // MARK: Checked arithmetic

    @inline(__always)
    static func add(_ sum: inout Int64, _ value: Int64, _ what: @autoclosure () -> String, at location: String) throws {
        let (s, o) = sum.addingReportingOverflow(value)
        guard !o else {
            throw LedgerError(.ledgerAmountOverflow, at: location, "\(what()) overflows 64-bit micro-units")
        }
        sum = s
    }
}
