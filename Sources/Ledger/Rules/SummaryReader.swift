import DDEXModel

/// One summary read and resolved: the first half of its rules (ACCOUNTING.md §1, the currency; the lines'
/// usage counts for §2), ready for `LedgerRun.apply`.
struct ReadSummary: Sendable {
    var summary: SummaryInput
    var place: String
    /// The summary's outcome so far: its rate and converted amount (nil when held unconverted).
    var outcome: SummaryOutcome
    /// The usage counts of the lines without their own money, in report order.
    var usages: [UInt64]
    var lineTotal: Int
    /// The resolved lines, or nil when the summary is too large to keep (they follow, read a second time) or
    /// held unconverted (only counted).
    var lines: [ResolvedLine]?
    /// What the reader's resolver learnt while reading this summary: the names of its new release and use-type
    /// ids and its new unmatched entries, in id order. Its lines' ids are the reader's own; `LedgerRun` maps them
    /// to the run's (several readers may share a run).
    var newReleases: [String] = []
    var newUseTypes: [String] = []
    var newUnmatched: [UnmatchedEntry] = []

    var isUnconverted: Bool { outcome.converted == nil }
}

/// Reads summaries for a run: their currency, and their lines resolved by `LineResolver`. The only part of a
/// run that touches its `LedgerInput`, so it can run on its own thread ahead of the rules (`LedgerPipeline`).
struct SummaryReader {
    let engine: LedgerEngine
    let options: LedgerRunOptions
    private(set) var resolver: LineResolver

    init(engine: LedgerEngine, options: LedgerRunOptions) {
        self.engine = engine
        self.options = options
        resolver = LineResolver(engine: engine, resolvesBreakdownKeys: options.collectDetail)
    }

    /// Converts the summary's amount and reads its lines once, resolving every line and keeping them unless
    /// there are more than `keptLinesLimit`.
    mutating func read<Lines: LineSequence>(_ summary: SummaryInput, _ lines: Lines) throws -> ReadSummary {
        let known = (resolver.releases.count, resolver.useTypes.count, resolver.unmatched.count)
        var read = try readLines(summary, lines)
        read.newReleases = (known.0..<resolver.releases.count).map { resolver.releases.name(Int32($0)) }
        read.newUseTypes = (known.1..<resolver.useTypes.count).map { resolver.useTypes.name(Int32($0)) }
        read.newUnmatched = Array(resolver.unmatched[known.2...])
        return read
    }

    private mutating func readLines<Lines: LineSequence>(_ summary: SummaryInput, _ lines: Lines) throws -> ReadSummary {
        let place = "report \(summary.report.id) summary \(summary.summaryId)"
        var outcome = SummaryOutcome(reportId: summary.report.id, dsp: summary.report.dsp, month: summary.report.month,
                                     summaryId: summary.summaryId, territory: summary.territory, commercialModel: summary.commercialModel,
                                     currency: summary.currency, netRevenue: summary.netRevenue, rate: nil, rateSource: .none,
                                     converted: nil, lines: 0, usages: 0, totalUsages: summary.totalUsages, allocated: .zero,
                                     unallocated: .zero)
        var read = ReadSummary(summary: summary, place: place, outcome: outcome, usages: [], lineTotal: 0, lines: nil)
        if summary.currency != engine.settings.accountingCurrency {
            if let r = engine.rates.rate(for: summary.currency, start: summary.report.usageStart, end: summary.report.usageEnd) {
                outcome.rate = r
                outcome.rateSource = .table
            } else if let r = summary.exchangeRate {
                outcome.rate = r
                outcome.rateSource = .summary
            } else {
                // Held unconverted: counted and reported, never guessed.
                try lines.forEachCells { cells, _ in
                    read.outcome.lines += 1
                    read.outcome.usages &+= cells.usages
                }
                read.lineTotal = read.outcome.lines
                return read
            }
        }
        if let rate = outcome.rate {
            guard let converted = rate.convert(summary.netRevenue) else {
                throw LedgerError(.ledgerAmountOverflow, at: place, "\(summary.netRevenue) × \(rate) overflows 64-bit micro-units")
            }
            outcome.converted = converted
        } else {
            outcome.converted = summary.netRevenue
        }
        read.outcome = outcome
        var kept: [ResolvedLine]? = []
        try lines.forEachCells { cells, more in
            guard cells.usages >= 0 else {
                throw LedgerError(.ledgerInputInconsistent, at: place, "a line has a negative usage count \(cells.usages)")
            }
            read.lineTotal += 1
            if cells.ownAmountMicro == nil { read.usages.append(UInt64(cells.usages)) }
            // Every line is resolved, kept or not, so the second read of a large summary learns no new ids.
            let line = resolver.resolve(cells, more)
            if kept != nil {
                if kept!.count < options.keptLinesLimit { kept!.append(line) } else { kept = nil }
            }
        }
        read.lines = kept
        return read
    }

    /// Reads a summary's lines a second time (one too large to keep), resolved, checking they did not change.
    mutating func reread<Lines: LineSequence>(_ read: ReadSummary, _ lines: Lines, _ body: (ResolvedLine) throws -> Void) throws {
        var seen = 0
        let known = (resolver.releases.count, resolver.useTypes.count, resolver.unmatched.count)
        try lines.forEachCells { cells, more in
            seen += 1
            let line = resolver.resolve(cells, more)
            guard seen <= read.lineTotal, cells.usages >= 0,
                  known == (resolver.releases.count, resolver.useTypes.count, resolver.unmatched.count)
            else {
                throw LedgerError(.ledgerInputInconsistent, at: read.place, "the summary's lines changed between the two passes")
            }
            try body(line)
        }
    }
}
