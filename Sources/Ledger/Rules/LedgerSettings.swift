import DDEXConfig

/// What a statement run needs from configuration.
public struct LedgerSettings: Sendable, Hashable {
    /// ISO 4217 accounting currency.
    public var accountingCurrency: String
    public var commission: CommissionPolicy

    public init(accountingCurrency: String, commission: CommissionPolicy) {
        self.accountingCurrency = accountingCurrency
        self.commission = commission
    }

    public init(configuration: Configuration) {
        self.init(accountingCurrency: configuration.accounting.currency, commission: CommissionPolicy(configuration: configuration))
    }
}

/// Options of one run.
public struct LedgerRunOptions: Sendable, Hashable {
    /// Keep the per-payee breakdown (DSP × territory × release and track × use type) and per-account activity
    /// that statements show. Without it a run keeps only totals (memory ≈ payees + unmatched keys).
    public var collectDetail: Bool
    /// A summary of up to this many lines is read from the input once and kept resolved (40 bytes a line) for
    /// its allocation; a larger one is read twice, so memory stays bounded whatever the summary's size.
    public var keptLinesLimit: Int

    /// With `collectDetail`, also copy each payee's breakdown into `PayeeEarnings.lines` (convenient for small
    /// runs and tests); without it, the breakdown stays compact in `LedgerResult.breakdown` only.
    public var linesInResult: Bool

    /// Threads that read summaries ahead while the rules run on the caller's (`LedgerPipeline`); an input that
    /// can be shared (`LedgerInput.partitions`) is read by that many at once, another by one. 0 reads on the
    /// caller's thread. The result is the same whatever the number: the rules apply in report order.
    public var readers: Int

    /// Two readers: reading the store costs about twice what applying the rules does.
    public static let defaultReaders = 2

    public init(collectDetail: Bool = true, keptLinesLimit: Int = 4_000_000, linesInResult: Bool = true,
                readers: Int = LedgerRunOptions.defaultReaders)
    {
        self.collectDetail = collectDetail
        self.readers = max(0, readers)
        self.linesInResult = linesInResult
        self.keptLinesLimit = keptLinesLimit
    }
}
