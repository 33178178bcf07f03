import DDEXModel

/// Applies the royalty rules of ACCOUNTING.md to the summaries and lines of a period, exactly, in bounded memory.
///
/// Memory: indexes of the reference data (catalogue, splits), one accumulator per payee, one entry per unmatched
/// ISRC, and the usage counts of the summary being allocated (8 bytes per line of that one summary). Lines are
/// streamed and never held. With `collectDetail`, each payee also keeps one row per DSP × territory × release ×
/// track × use type it earned from (the statement breakdown).
public final class LedgerEngine {
    public let settings: LedgerSettings

    struct Track {
        var isrc: String
        var title: String
        var displayArtist: String
        var account: Int32
        var splitStart: Int32
        var splitCount: Int32
    }

    var tracks: [Track] = []
    var isrcIndex: [String: Int32] = [:]
    /// The tracks' ISRCs by id (= track index), for lookups straight from a line's bytes.
    var isrcTable = ByteTable()
    var mappingIndex: [String: Int32] = [:]
    var splitPayees: [Int32] = []
    var splitWeights: [UInt64] = []
    var maxSplitCount = 1
    var payees = Interner()
    var accounts = Interner()
    /// The account of every payee known to the run (ACCOUNTING.md §5): see `resolvePayeeAccounts`.
    var payeeAccounts: [String: String] = [:]
    let rates: RateTable

    /// A deliberate bug, for tests that prove a broken rule makes the run fail.
    enum Fault {
        /// Every payee share loses one micro-unit on its way to the accumulator.
        case dropPayeeMicro
        /// Amounts of summaries without usages never reach the unallocated bucket.
        case skipUnallocated
    }

    var fault: Fault?

    /// Builds the indexes. Throws when the reference data breaks a rule the imports enforce (a split not
    /// summing to 10000 bp), so a run never starts from data it cannot account for exactly.
    public init(settings: LedgerSettings, reference: LedgerReferenceData) throws {
        var settings = settings
        for account in reference.accounts {
            settings.commission.byAccount[account.name] = account.commissionBasisPoints
        }
        self.settings = settings
        self.rates = RateTable(reference.rates)
        var splitOf: [String: (Int32, Int32)] = [:]
        for split in reference.splits {
            let total = split.shares.reduce(0) { $0 + $1.basisPoints }
            guard total == 10_000, split.shares.allSatisfy({ (0...10_000).contains($0.basisPoints) }) else {
                throw LedgerError(.ledgerSplitSum, at: "splits: \(split.isrc)", "the shares sum to \(total) bp, not 10000")
            }
            let start = Int32(splitPayees.count)
            for share in split.shares {
                splitPayees.append(payees.id(share.payee))
                splitWeights.append(UInt64(share.basisPoints))
            }
            maxSplitCount = max(maxSplitCount, split.shares.count)
            splitOf[split.isrc.value] = (start, Int32(split.shares.count))
        }
        for entry in reference.catalogue where isrcIndex[entry.isrc.value] == nil {
            let (start, count) = splitOf[entry.isrc.value] ?? (0, 0)
            isrcIndex[entry.isrc.value] = Int32(tracks.count)
            _ = isrcTable.id(entry.isrc.value)
            tracks.append(Track(isrc: entry.isrc.value, title: entry.title, displayArtist: entry.displayArtist,
                                account: accounts.id(entry.account), splitStart: start, splitCount: count))
        }
        for mapping in reference.resourceMappings {
            if let t = isrcIndex[mapping.isrc.value] { mappingIndex[LedgerEngine.mappingKey(mapping.icpn, mapping.dspResourceId)] = t }
        }
        for account in reference.accounts { _ = accounts.id(account.name) }
        for account in reference.payeeAccounts.values { _ = accounts.id(account) }
        payeeAccounts = try resolvePayeeAccounts(reference)
    }

    static func mappingKey(_ icpn: String, _ resource: String) -> String { icpn + "\u{1F}" + resource }

    /// Runs the rules over every summary of `period` in `input`. Throws `LedgerError` on overflow, on input that
    /// changes between passes, and when the invariant breaks; never returns figures that do not add up.
    public func run<Input: LedgerInput>(period: StatementPeriod, input: Input,
                                        options: LedgerRunOptions = LedgerRunOptions()) throws -> LedgerResult
    {
        var run = LedgerRun(engine: self, period: period, options: options)
        if options.readers > 0 {
            let inputs = try input.partitions(options.readers, in: period) ?? [input]
            try LedgerPipeline.run(inputs: inputs, period: period, makeReader: { SummaryReader(engine: self, options: options) }, run: &run)
        } else {
            var reader = SummaryReader(engine: self, options: options)
            try input.forEachSummary(in: period) { summary, lines in
                let read = try reader.read(summary, lines)
                if let kept = read.lines {
                    try run.apply(read) { body in for line in kept { try body(line) } }
                } else {
                    try run.apply(read) { body in try reader.reread(read, lines, body) }
                }
            }
        }
        return try run.finish()
    }
}
