import DDEXModel

/// The HEAD record: who sent the report, to whom, for which period, and which file of how many this is.
public struct DSRHeader: Sendable, Hashable {
    public var recordType: String
    public var messageVersion: String
    public var profile: String
    public var profileVersion: String
    public var messageId: String
    /// `MessageCreatedDateTime` as written (RFC 3339 with a zone).
    public var messageCreatedDateTime: String
    /// The same instant in milliseconds since 1970-01-01T00:00:00Z.
    public var createdUnixMilliseconds: Int64
    public var fileNumber: Int
    public var numberOfFiles: Int
    public var usageStartDate: String
    public var usageEndDate: String
    public var senderPartyId: String
    public var senderName: String
    public var serviceDescription: String
    public var recipientPartyId: String
    public var recipientName: String
    public var representedRepertoire: [String]

    public init(recordType: String = "HEAD", messageVersion: String = "", profile: String = "", profileVersion: String = "",
                messageId: String = "", messageCreatedDateTime: String = "", createdUnixMilliseconds: Int64 = 0,
                fileNumber: Int = 1, numberOfFiles: Int = 1, usageStartDate: String = "", usageEndDate: String = "",
                senderPartyId: String = "", senderName: String = "", serviceDescription: String = "",
                recipientPartyId: String = "", recipientName: String = "", representedRepertoire: [String] = []) {
        self.recordType = recordType
        self.messageVersion = messageVersion
        self.profile = profile
        self.profileVersion = profileVersion
        self.messageId = messageId
        self.messageCreatedDateTime = messageCreatedDateTime
        self.createdUnixMilliseconds = createdUnixMilliseconds
        self.fileNumber = fileNumber
        self.numberOfFiles = numberOfFiles
        self.usageStartDate = usageStartDate
        self.usageEndDate = usageEndDate
        self.senderPartyId = senderPartyId
        self.senderName = senderName
        self.serviceDescription = serviceDescription
        self.recipientPartyId = recipientPartyId
        self.recipientName = recipientName
        self.representedRepertoire = representedRepertoire
    }
}

/// The FOOT record's counts. The report-level counts are filled in only in the last file.
public struct DSRFooter: Sendable, Hashable {
    public var numberOfLinesInFile: Int
    public var numberOfLinesInReport: Int?
    public var numberOfSummaryRecords: Int
    public var numberOfBlocksInFile: Int
    public var numberOfBlocksInReport: Int?

    public init(numberOfLinesInFile: Int, numberOfLinesInReport: Int?, numberOfSummaryRecords: Int,
                numberOfBlocksInFile: Int, numberOfBlocksInReport: Int?) {
        self.numberOfLinesInFile = numberOfLinesInFile
        self.numberOfLinesInReport = numberOfLinesInReport
        self.numberOfSummaryRecords = numberOfSummaryRecords
        self.numberOfBlocksInFile = numberOfBlocksInFile
        self.numberOfBlocksInReport = numberOfBlocksInReport
    }
}

/// A summary record (SYxx): one sales context (commercial model × use type × territory × service) with
/// its currency and totals. Usage lines inherit all of this through `summaryRecordId`.
///
/// Cells a version does not have are empty strings or nil. Money is exact (`MicroAmount`, half-even
/// beyond six decimals); the original text of NetRevenue and ExchangeRate is kept too.
public struct DSRSummary: Sendable, Hashable {
    public var recordType: String
    public var summaryRecordId: String
    public var distributionChannel: String
    public var distributionChannelDPID: String
    public var commercialModel: String
    public var useType: String
    public var territory: String
    public var serviceDescription: String
    /// `TotalUsages` (`Usages` in older versions, `TotalUsagesInReportingPeriod` in SY04).
    public var totalUsages: Int64?
    /// `Subscribers` (`Users` in SY02).
    public var subscribers: Int64?
    /// `CurrencyOfReporting` (`Currency` in SY02.01).
    public var currencyOfReporting: String
    public var netRevenue: MicroAmount?
    public var netRevenueText: String
    /// `IndirectValue` (`IndirectNetRevenue` in SY01.01).
    public var indirectValue: MicroAmount?
    public var currencyOfTransaction: String
    /// Transaction currency → reporting currency, as written (`1.00`).
    public var exchangeRateText: String
    /// Licensor-specific summaries (SY02, SY03, SY05) name the rights controller; empty otherwise.
    public var rightsController: String
    public var rightsControllerPartyId: String
    public var rightsType: String
    public var allocatedUsages: Int64?
    public var allocatedRevenue: MicroAmount?
    public var allocatedNetRevenue: MicroAmount?

    public init(recordType: String, summaryRecordId: String, distributionChannel: String = "",
                distributionChannelDPID: String = "", commercialModel: String = "", useType: String = "",
                territory: String = "", serviceDescription: String = "", totalUsages: Int64? = nil,
                subscribers: Int64? = nil, currencyOfReporting: String = "", netRevenue: MicroAmount? = nil,
                netRevenueText: String = "", indirectValue: MicroAmount? = nil, currencyOfTransaction: String = "",
                exchangeRateText: String = "", rightsController: String = "", rightsControllerPartyId: String = "",
                rightsType: String = "", allocatedUsages: Int64? = nil, allocatedRevenue: MicroAmount? = nil,
                allocatedNetRevenue: MicroAmount? = nil) {
        self.recordType = recordType
        self.summaryRecordId = summaryRecordId
        self.distributionChannel = distributionChannel
        self.distributionChannelDPID = distributionChannelDPID
        self.commercialModel = commercialModel
        self.useType = useType
        self.territory = territory
        self.serviceDescription = serviceDescription
        self.totalUsages = totalUsages
        self.subscribers = subscribers
        self.currencyOfReporting = currencyOfReporting
        self.netRevenue = netRevenue
        self.netRevenueText = netRevenueText
        self.indirectValue = indirectValue
        self.currencyOfTransaction = currencyOfTransaction
        self.exchangeRateText = exchangeRateText
        self.rightsController = rightsController
        self.rightsControllerPartyId = rightsControllerPartyId
        self.rightsType = rightsType
        self.allocatedUsages = allocatedUsages
        self.allocatedRevenue = allocatedRevenue
        self.allocatedNetRevenue = allocatedNetRevenue
    }

    /// How usage lines find their summary: SummaryRecordId, plus RightsController for UGC reports whose
    /// summaries share one id (the YouTube test file).
    public var key: DSRSummaryKey { DSRSummaryKey(summaryRecordId: summaryRecordId, rightsController: rightsController) }
}

/// SummaryRecordId with RightsController (empty when the profile has none).
public struct DSRSummaryKey: Sendable, Hashable, CustomStringConvertible {
    public var summaryRecordId: String
    public var rightsController: String

    public init(summaryRecordId: String, rightsController: String = "") {
        self.summaryRecordId = summaryRecordId
        self.rightsController = rightsController
    }

    public var description: String {
        rightsController.isEmpty ? summaryRecordId : "\(summaryRecordId)/\(rightsController)"
    }
}

/// A release record (RE01.xx): the release a block is about. References are unique only within a block.
public struct DSRReleaseRecord: Sendable, Hashable {
    public var recordType: String
    public var blockId: String
    public var releaseReference: String
    public var dspReleaseId: String
    public var proprietaryReleaseIds: [String]
    public var catalogNumber: String
    public var icpn: String
    public var displayArtistName: String
    public var title: String
    public var subTitle: String
    public var releaseType: String
    public var labelName: String
    public var releaseDate: String

    public init(recordType: String, blockId: String, releaseReference: String, dspReleaseId: String = "",
                proprietaryReleaseIds: [String] = [], catalogNumber: String = "", icpn: String = "",
                displayArtistName: String = "", title: String = "", subTitle: String = "", releaseType: String = "",
                labelName: String = "", releaseDate: String = "") {
        self.recordType = recordType
        self.blockId = blockId
        self.releaseReference = releaseReference
        self.dspReleaseId = dspReleaseId
        self.proprietaryReleaseIds = proprietaryReleaseIds
        self.catalogNumber = catalogNumber
        self.icpn = icpn
        self.displayArtistName = displayArtistName
        self.title = title
        self.subTitle = subTitle
        self.releaseType = releaseType
        self.labelName = labelName
        self.releaseDate = releaseDate
    }
}

/// A resource record (AS01.xx, AS02.xx): a track in the block, with its ISRC(s).
public struct DSRResourceRecord: Sendable, Hashable {
    public var recordType: String
    public var blockId: String
    public var resourceReference: String
    public var dspResourceId: String
    /// Every ISRC of the cell (usually one).
    public var isrcs: [String]
    public var title: String
    public var subTitle: String
    public var displayArtistName: String
    /// ISO 8601 duration as written (`PT2M44S`).
    public var duration: String
    public var resourceType: String
    public var iswc: String

    public init(recordType: String, blockId: String, resourceReference: String, dspResourceId: String = "",
                isrcs: [String] = [], title: String = "", subTitle: String = "", displayArtistName: String = "",
                duration: String = "", resourceType: String = "", iswc: String = "") {
        self.recordType = recordType
        self.blockId = blockId
        self.resourceReference = resourceReference
        self.dspResourceId = dspResourceId
        self.isrcs = isrcs
        self.title = title
        self.subTitle = subTitle
        self.displayArtistName = displayArtistName
        self.duration = duration
        self.resourceType = resourceType
        self.iswc = iswc
    }

    /// The first ISRC, or "" when the cell is empty.
    public var isrc: String { isrcs.first ?? "" }
}

/// A sales/usage record (SU01.xx downloads, SU02.xx streams, SU03.xx UGC).
public struct DSRUsageRecord: Sendable, Hashable {
    public var recordType: String
    public var blockId: String
    public var summaryRecordId: String
    public var salesTransactionId: String
    /// `TransactedRelease(Reference)`: a release reference of the block, or empty.
    public var releaseReference: String
    /// `TransactedResource(Reference)`: a resource reference of the block, or empty.
    public var resourceReference: String
    /// SU03: the DSP's id of the used resource (`DspReleaseId` in SU03.01 headings).
    public var dspResourceId: String
    public var isRoyaltyBearing: Bool?
    /// `Usages` / `NumberOfStreams`.
    public var usages: Int64
    /// SU01 `Returns`.
    public var returns: Int64?
    /// `PriceConsumerPaidExcSalesTax` / `PriceEndUserPaidExcSalesTax` (pay-as-you-go only).
    public var price: MicroAmount?
    /// SU03 `NetRevenue`: money carried by the line itself.
    public var netRevenue: MicroAmount?
    public var useType: String

    public init(recordType: String, blockId: String, summaryRecordId: String = "", salesTransactionId: String = "",
                releaseReference: String = "", resourceReference: String = "", dspResourceId: String = "",
                isRoyaltyBearing: Bool? = nil, usages: Int64, returns: Int64? = nil, price: MicroAmount? = nil,
                netRevenue: MicroAmount? = nil, useType: String = "") {
        self.recordType = recordType
        self.blockId = blockId
        self.summaryRecordId = summaryRecordId
        self.salesTransactionId = salesTransactionId
        self.releaseReference = releaseReference
        self.resourceReference = resourceReference
        self.dspResourceId = dspResourceId
        self.isRoyaltyBearing = isRoyaltyBearing
        self.usages = usages
        self.returns = returns
        self.price = price
        self.netRevenue = netRevenue
        self.useType = useType
    }
}

/// A licensor-specific usage record (LI01.xx, UGC): the money one rights controller gets for the sales
/// record before it.
public struct DSRLicensorRecord: Sendable, Hashable {
    public var recordType: String
    public var blockId: String
    public var summaryRecordId: String
    public var rightsController: String
    public var rightsControllerPartyId: String
    public var rightsControllerWorkId: String
    /// A percentage as written (`25` is a quarter).
    public var rightShareText: String
    public var rightsType: String
    public var allocatedNetRevenue: MicroAmount?
    public var allocatedAmount: MicroAmount?
    public var allocatedUsages: Int64?

    public init(recordType: String, blockId: String, summaryRecordId: String = "", rightsController: String = "",
                rightsControllerPartyId: String = "", rightsControllerWorkId: String = "", rightShareText: String = "",
                rightsType: String = "", allocatedNetRevenue: MicroAmount? = nil, allocatedAmount: MicroAmount? = nil,
                allocatedUsages: Int64? = nil) {
        self.recordType = recordType
        self.blockId = blockId
        self.summaryRecordId = summaryRecordId
        self.rightsController = rightsController
        self.rightsControllerPartyId = rightsControllerPartyId
        self.rightsControllerWorkId = rightsControllerWorkId
        self.rightShareText = rightShareText
        self.rightsType = rightsType
        self.allocatedNetRevenue = allocatedNetRevenue
        self.allocatedAmount = allocatedAmount
        self.allocatedUsages = allocatedUsages
    }
}

/// One record read from a DSR file, typed by its family. `#` lines and blank lines never appear here.
public enum DSRRecord: Sendable, Hashable {
    case header(DSRHeader)
    case summary(DSRSummary)
    case release(DSRReleaseRecord)
    case resource(DSRResourceRecord)
    case usage(DSRUsageRecord)
    case licensor(DSRLicensorRecord)
    /// A known block record this reader checks but does not type (MW01 works, RU01 UGC ids, RE02).
    case otherBlockRecord(recordType: String, blockId: String)
    case footer(DSRFooter)
}
