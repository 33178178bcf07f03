import DDEXModel

/// The rules of a statement run after its summaries are read (`SummaryReader`): each summary's amount allocated
/// over its lines (ACCOUNTING.md §2) and the per-line rules (`LineAccumulator`), in report order.
///
/// A value type, like its parts: a run mutates its sums ten million times, and a class's stored properties
/// would cost a dynamic exclusivity check on each access.
struct LedgerRun {
    let engine: LedgerEngine
    let period: StatementPeriod
    let options: LedgerRunOptions
    let location: String

    var accumulator: LineAccumulator
    var unallocated: Int64 = 0
    var lineCount = 0
    var reportIds: Set<String> = []
    var outcomes: [SummaryOutcome] = []
    var problems: [Problem] = []
    var dsps = Interner()
    var territories = Interner()
    var months = Interner()
    /// The run's release ICPNs, use types and unmatched entries (with their tallies), by id: the readers' ids
    /// mapped to these (`readerIds`) as their summaries are applied, in report order.
    var releases = Interner()
    var useTypes = Interner()
    var unmatchedEntries: [UnmatchedEntry] = []
    private var unmatchedKeys: [String: Int32] = [:]
    var unmatchedTallies: [UnmatchedTally] = []
    /// Per reader: its release, use-type and unmatched-entry ids → the run's.
    private var readerIds: [ReaderIds] = []

    struct ReaderIds {
        var releases: [Int32] = []
        var useTypes: [Int32] = []
        var unmatched: [Int32] = []
    }

    struct UnmatchedTally {
        var lines = 0
        var usages: Int64 = 0
        var amount: Int64 = 0
        /// Release ids (`releases`), the first 16 distinct in report order.
        var releases: [Int32] = []
    }

    init(engine: LedgerEngine, period: StatementPeriod, options: LedgerRunOptions) {
        self.engine = engine
        self.period = period
        self.options = options
        self.location = "statement run \(period)"
        accumulator = LineAccumulator(engine: engine, collectDetail: options.collectDetail)
    }

    // MARK: Summaries

    /// Applies the rules to a summary read by `SummaryReader.read` (reader number `reader`); `lines` walks its
    /// resolved lines in report order (the kept ones, or a second read).
    mutating func apply(_ read: ReadSummary, reader: Int = 0, lines: ((ResolvedLine) throws -> Void) throws -> Void) throws {
        learn(read, reader: reader)
        let summary = read.summary, place = read.place
        var outcome = read.outcome
        reportIds.insert(summary.report.id)
        guard let converted = outcome.converted else {
            lineCount += outcome.lines
            outcomes.append(outcome)
            problems.append(.warning(.ledgerSummaryUnconverted, at: place,
                                     "no rate from \(summary.currency) to \(engine.settings.accountingCurrency) for \(summary.report.usageStart)--\(summary.report.usageEnd); \(summary.netRevenue) \(summary.currency) is held unconverted"))
            return
        }
        let amount = converted.micro
        try Self.add(&accumulator.total, amount, "the total of converted summaries", at: location)

        var (allocation, summaryUnallocated) = try allocate(read, amount: amount)

        // Every line, with its share.
        var context = LineAccumulator.SummaryContext(
            place: place, dspName: summary.report.dsp, dsp: options.collectDetail ? dsps.id(summary.report.dsp) : 0,
            territory: options.collectDetail ? territories.id(summary.territory) : 0,
            month: options.collectDetail ? months.id(summary.report.month) : 0,
            commissionRates: Array(repeating: -1, count: engine.accounts.count))
        var sums = SummarySums()
        let ids = readerIds[reader]
        try lines { line in
            var line = line
            if line.release >= 0 { line.release = ids.releases[Int(line.release)] }
            if line.useType >= 0 { line.useType = ids.useTypes[Int(line.useType)] }
            if line.unmatchedEntry >= 0 { line.unmatchedEntry = ids.unmatched[Int(line.unmatchedEntry)] }
            try apply(line, rate: outcome.rate, allocation: &allocation, sums: &sums, context: &context)
        }
        accumulator.endSummary(context)
        guard sums.lines == read.lineTotal, sums.allocatedLines == read.usages.count,
              sums.allocatedUsages == allocation?.totalUsages ?? 0
        else {
            throw LedgerError(.ledgerInputInconsistent, at: place, "the summary's lines changed between the two passes")
        }
        // Every summary's lines add up to its amount, or the rest is unallocated.
        guard sums.allocated &+ summaryUnallocated == amount else {
            throw LedgerError(.ledgerInvariantBroken, at: place,
                              "the lines' shares (\(sums.allocated)) and unallocated (\(summaryUnallocated)) do not add up to the summary's \(amount) micro-units")
        }
        lineCount += read.lineTotal
        outcome.lines = read.lineTotal
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
            try tallyUnmatched(line, amount: share, place: context.place)
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

    /// 2. The allocation of a summary's amount over the usage counts of its lines without their own money, and
    /// what stays unallocated (all of it when the lines have no usages).
    private mutating func allocate(_ read: ReadSummary, amount: Int64) throws -> (SummaryAllocation?, Int64) {
        var usages = read.usages
        var overflow = false
        let allocation = SummaryAllocation.prepare(amount: amount, usages: &usages, overflow: &overflow)
        if overflow {
            throw LedgerError(.ledgerAmountOverflow, at: read.place, "the usage counts of the summary's lines overflow 64 bits")
        }
        var summaryUnallocated: Int64 = 0
        if allocation == nil, amount != 0 {
            summaryUnallocated = amount
            if engine.fault != .skipUnallocated { try Self.add(&unallocated, amount, "the unallocated bucket", at: location) }
        }
        if let stated = read.summary.totalUsages, allocation?.totalUsages ?? 0 != UInt64(max(stated, 0)) || stated < 0 {
            problems.append(.warning(.ledgerUsageMismatch, at: read.place,
                                     "TotalUsages is \(stated) but the lines add up to \(allocation?.totalUsages ?? 0); allocation uses the lines"))
        }
        return (allocation, summaryUnallocated)
    }

    /// Maps the ids a reader learnt while reading `read` to the run's, adding names and entries the run has not
    /// seen (an entry keeps what its first line in report order said).
    private mutating func learn(_ read: ReadSummary, reader: Int) {
        while readerIds.count <= reader { readerIds.append(ReaderIds()) }
        for name in read.newReleases { readerIds[reader].releases.append(releases.id(name)) }
        for name in read.newUseTypes { readerIds[reader].useTypes.append(useTypes.id(name)) }
        for entry in read.newUnmatched {
            if let known = unmatchedKeys[entry.key] {
                readerIds[reader].unmatched.append(known)
            } else {
                let id = Int32(unmatchedEntries.count)
                unmatchedKeys[entry.key] = id
                unmatchedEntries.append(entry)
                unmatchedTallies.append(UnmatchedTally())
                readerIds[reader].unmatched.append(id)
            }
        }
    }

    /// Counts an unmatched line into its entry's tally.
    private mutating func tallyUnmatched(_ line: ResolvedLine, amount: Int64, place: String) throws {
        let e = Int(line.unmatchedEntry)
        unmatchedTallies[e].lines += 1
        unmatchedTallies[e].usages &+= line.usages
        try Self.add(&unmatchedTallies[e].amount, amount, "the unmatched amount of entry \(e)", at: place)
        if line.hasReleaseICPN, unmatchedTallies[e].releases.count < 16, !unmatchedTallies[e].releases.contains(line.release) {
            unmatchedTallies[e].releases.append(line.release)
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
