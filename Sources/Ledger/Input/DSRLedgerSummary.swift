import DDEXConfig
import DDEXModel

/// A summary record (SYxx) of a loaded report, with what the ledger needs of its report.
public struct DSRLedgerSummary: Sendable, Hashable {
    public var reportId: Int64
    public var summaryRecordId: String
    public var commercialModel: String
    public var territory: String
    public var currencyOfReporting: String
    /// `NetRevenue` in micro-units (rounded half-even on input), nil when the cell was empty.
    public var netRevenueMicro: Int64?
    /// `ExchangeRate` as written (empty when absent).
    public var exchangeRateText: String
    public var currencyOfTransaction: String
    public var totalUsages: Int64?
    /// The sender's DPID (HEAD `SenderPartyId`, else the file name's sender).
    public var senderPartyId: String
    public var senderName: String
    public var service: String
    /// `UsageStartDate` / `UsageEndDate` (`YYYY-MM-DD`).
    public var periodStart: String
    public var periodEnd: String
    public var messageId: String?

    public init(reportId: Int64, summaryRecordId: String, commercialModel: String, territory: String, currencyOfReporting: String,
                netRevenueMicro: Int64?, exchangeRateText: String, currencyOfTransaction: String, totalUsages: Int64?,
                senderPartyId: String, senderName: String, service: String, periodStart: String, periodEnd: String,
                messageId: String?)
    {
        self.reportId = reportId
        self.summaryRecordId = summaryRecordId
        self.commercialModel = commercialModel
        self.territory = territory
        self.currencyOfReporting = currencyOfReporting
        self.netRevenueMicro = netRevenueMicro
        self.exchangeRateText = exchangeRateText
        self.currencyOfTransaction = currencyOfTransaction
        self.totalUsages = totalUsages
        self.senderPartyId = senderPartyId
        self.senderName = senderName
        self.service = service
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.messageId = messageId
    }

    /// DSP profile names by the DPID that sends their reports (`recipient_dpid` of `[dsp.NAME]`), to name a
    /// report's DSP.
    public static func dspNames(_ configuration: Configuration) -> [String: String] {
        var names: [String: String] = [:]
        for (name, profile) in configuration.dsps { names[profile.recipientDPID.value] = name }
        return names
    }
}

extension DSRLedgerSummary {
    /// The summary as a statement run reads it, whatever the store: its report named after the configured DSP
    /// profile whose DPID sent it (`dspNames`), else the sender's name or DPID; its `ExchangeRate` cell offered as a
    /// rate (an unreadable cell is none). `references` keeps each report's reference, made once per report.
    /// Throws `LEDGER_INPUT_INCONSISTENT` for a usage period that is not two dates or a negative TotalUsages.
    public func input(dspNames: [String: String], references: inout [Int64: ReportReference]) throws -> SummaryInput {
        let reference: ReportReference
        if let known = references[reportId] {
            reference = known
        } else {
            guard let start = CivilDate(parsing: periodStart), let end = CivilDate(parsing: periodEnd) else {
                throw LedgerError(.ledgerInputInconsistent, at: "report \(reportId)",
                                  "the usage period '\(periodStart)--\(periodEnd)' is not two dates")
            }
            let dsp = dspNames[senderPartyId] ?? (senderName.isEmpty ? senderPartyId : senderName)
            reference = ReportReference(id: String(reportId), dsp: dsp, service: service, usageStart: start, usageEnd: end)
            references[reportId] = reference
        }
        var rate: ExchangeRate?
        if !exchangeRateText.isEmpty {
            do { rate = try ExchangeRate(parsing: exchangeRateText) } catch {
                // An unreadable cell is no rate: the table decides, or the summary is held unconverted.
                rate = nil
            }
        }
        guard totalUsages.map({ $0 >= 0 }) ?? true else {
            throw LedgerError(.ledgerInputInconsistent, at: "report \(reportId) summary \(summaryRecordId)", "TotalUsages is negative")
        }
        return SummaryInput(report: reference, summaryId: summaryRecordId, commercialModel: commercialModel, territory: territory,
                            currency: currencyOfReporting, netRevenue: MicroAmount(micro: netRevenueMicro ?? 0), exchangeRate: rate,
                            totalUsages: totalUsages)
    }
}
