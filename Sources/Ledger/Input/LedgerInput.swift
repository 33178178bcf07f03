import DDEXModel

/// What a statement run reads: the summaries of the ingested, non-superseded DSR reports and their usage lines.
///
/// The store implements it over SQLite. A run visits each summary once and walks its lines once (twice for a
/// summary too large to keep), so an implementation streams the lines from an index on (summary, file number,
/// line number) and never needs to hold a report in memory.
public protocol LedgerInput {
    associatedtype Lines: LineSequence

    /// Calls `body` for each summary of the non-superseded reports whose usage period lies in `period`,
    /// with the summary's lines in report order (file number, then line number, across every file of the report).
    func forEachSummary(in period: StatementPeriod, _ body: (SummaryInput, Lines) throws -> Void) throws

    /// `count` inputs that can be read on `count` threads at once, each serving the same summaries of `period` in
    /// the same order (a run's readers share them out as they go). Nil when this input cannot be shared (the
    /// default); a run then reads it on one thread.
    func partitions(_ count: Int, in period: StatementPeriod) throws -> [Self]?
}

extension LedgerInput {
    public func partitions(_ count: Int, in period: StatementPeriod) throws -> [Self]? { nil }
}

/// The usage lines of one summary, in report order. Each walk must yield the same lines in the same order.
///
/// A run reads each summary's lines once, as `LineCells` (the store hands over its cells without building
/// strings), and a second time only when the summary is too large to keep its resolved lines in memory.
public protocol LineSequence {
    /// Calls `body` for every line, in report order.
    func forEachLine(_ body: (UsageLine) throws -> Void) throws

    /// Calls `body` for every line, in report order, with its cells; they are valid only during the call.
    /// `body` reads the line's other text cells through `more`, which it calls only when it needs them (most
    /// lines match by ISRC, and a store reads a cell only when asked). The default reads `forEachLine`.
    func forEachCells(_ body: (_ cells: LineCells, _ more: () -> LineTextCells) throws -> Void) throws
}

extension LineSequence {
    public func forEachCells(_ body: (_ cells: LineCells, _ more: () -> LineTextCells) throws -> Void) throws {
        try forEachLine { line in
            var isrc = line.isrc ?? "", icpn = line.releaseICPN ?? "", resource = line.dspResourceId ?? "", useType = line.useType
            try isrc.withUTF8 { isrc in
                try icpn.withUTF8 { icpn in
                    try resource.withUTF8 { resource in
                        try useType.withUTF8 { useType in
                            try body(LineCells(isrc: isrc, usages: line.usages, ownAmountMicro: line.ownAmount?.micro)) {
                                LineTextCells(releaseICPN: icpn, dspResourceId: resource, useType: useType)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What every usage line is read for: its ISRC (the bytes as written, empty when the block names none, valid
/// only during the call that passes them), its usage count and its own money.
public struct LineCells {
    public var isrc: UnsafeBufferPointer<UInt8>
    public var usages: Int64
    /// Money the line carries itself, in micro-units of the summary's currency.
    public var ownAmountMicro: Int64?

    public init(isrc: UnsafeBufferPointer<UInt8>, usages: Int64, ownAmountMicro: Int64?) {
        self.isrc = isrc
        self.usages = usages
        self.ownAmountMicro = ownAmountMicro
    }
}

/// A usage line's other text cells (empty when absent), read only when needed: for the breakdown, and for a
/// line its ISRC does not match.
public struct LineTextCells {
    public var releaseICPN: UnsafeBufferPointer<UInt8>
    public var dspResourceId: UnsafeBufferPointer<UInt8>
    public var useType: UnsafeBufferPointer<UInt8>

    public init(releaseICPN: UnsafeBufferPointer<UInt8>, dspResourceId: UnsafeBufferPointer<UInt8>, useType: UnsafeBufferPointer<UInt8>) {
        self.releaseICPN = releaseICPN
        self.dspResourceId = dspResourceId
        self.useType = useType
    }
}

/// The report a summary belongs to.
public struct ReportReference: Sendable, Hashable, Codable {
    /// A stable identifier of the report in the store (e.g. its message id or row id).
    public var id: String
    /// The DSP profile name the report came from (configuration `[dsp.NAME]`), or the sender name when unknown.
    public var dsp: String
    /// The report's `ServiceDescription`.
    public var service: String
    public var usageStart: CivilDate
    public var usageEnd: CivilDate

    /// The usage month, `YYYY-MM` of `usageStart` (statements group revenue by it).
    public var month: String { String(usageStart.description.prefix(7)) }

    public init(id: String, dsp: String, service: String, usageStart: CivilDate, usageEnd: CivilDate) {
        self.id = id
        self.dsp = dsp
        self.service = service
        self.usageStart = usageStart
        self.usageEnd = usageEnd
    }
}

/// One summary record (SYxx) of a report.
public struct SummaryInput: Sendable, Hashable {
    public var report: ReportReference
    /// `SummaryRecordId`, unique within the report.
    public var summaryId: String
    public var commercialModel: String
    /// Territory code as the report writes it (`GB`, `Worldwide`, ...).
    public var territory: String
    /// `CurrencyOfReporting`.
    public var currency: String
    /// `NetRevenue` in `currency`, rounded half-even to micro-units on input.
    public var netRevenue: MicroAmount
    /// The rate from the summary to the accounting currency, if the report states one (used only when the
    /// configured rate table has none for the currency and period).
    public var exchangeRate: ExchangeRate?
    /// `TotalUsages` as stated, if any; a difference from the lines' sum is a warning.
    public var totalUsages: Int64?

    public init(report: ReportReference, summaryId: String, commercialModel: String, territory: String, currency: String,
                netRevenue: MicroAmount, exchangeRate: ExchangeRate? = nil, totalUsages: Int64? = nil)
    {
        self.report = report
        self.summaryId = summaryId
        self.commercialModel = commercialModel
        self.territory = territory
        self.currency = currency
        self.netRevenue = netRevenue
        self.exchangeRate = exchangeRate
        self.totalUsages = totalUsages
    }
}

/// One usage line (SUxx) with what the block says about the resource and release it reports.
public struct UsageLine: Sendable, Hashable {
    /// ISRC of the block's AS record for this line's resource, canonical (upper case), if any.
    public var isrc: String?
    /// ICPN of the block's RE record, if any.
    public var releaseICPN: String?
    /// The DSP's resource id (`DspResourceId`), if any.
    public var dspResourceId: String?
    /// `NumberOfStreams` / `NumberOfSales` / `Usages`; never negative.
    public var usages: Int64
    /// Money the line carries itself (UGC `AllocatedNetRevenue`, Part 9 `SR08`) in the summary's currency.
    public var ownAmount: MicroAmount?
    public var useType: String

    public init(isrc: String?, releaseICPN: String?, dspResourceId: String?, usages: Int64, ownAmount: MicroAmount? = nil,
                useType: String)
    {
        self.isrc = isrc
        self.releaseICPN = releaseICPN
        self.dspResourceId = dspResourceId
        self.usages = usages
        self.ownAmount = ownAmount
        self.useType = useType
    }
}
