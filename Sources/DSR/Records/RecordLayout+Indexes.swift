extension RecordLayout {
    /// 0-based positions of the cells the typed records read, worked out once per layout so the hot path
    /// never looks a name up. nil when the version has no such cell.
    public struct Indexes: Sendable {
        public var blockId: Int?
        public var summaryRecordId: Int?
        // Summaries
        public var distributionChannel: Int?
        public var distributionChannelDPID: Int?
        public var commercialModel: Int?
        public var useType: Int?
        public var territory: Int?
        public var serviceDescription: Int?
        public var totalUsages: Int?
        public var subscribers: Int?
        public var currencyOfReporting: Int?
        public var netRevenue: Int?
        public var indirectValue: Int?
        public var currencyOfTransaction: Int?
        public var exchangeRate: Int?
        public var rightsController: Int?
        public var rightsControllerPartyId: Int?
        public var rightsType: Int?
        public var allocatedUsages: Int?
        public var allocatedRevenue: Int?
        public var allocatedNetRevenue: Int?
        // Releases and resources
        public var releaseReference: Int?
        public var dspReleaseId: Int?
        public var proprietaryReleaseId: Int?
        public var catalogNumber: Int?
        public var icpn: Int?
        public var displayArtistName: Int?
        public var title: Int?
        public var subTitle: Int?
        public var releaseType: Int?
        public var labelName: Int?
        public var releaseDate: Int?
        public var resourceReference: Int?
        public var dspResourceId: Int?
        public var isrc: Int?
        public var duration: Int?
        public var resourceType: Int?
        public var iswc: Int?
        // Usage and licensor lines
        public var salesTransactionId: Int?
        public var transactedRelease: Int?
        public var transactedResource: Int?
        public var isRoyaltyBearing: Int?
        public var usages: Int?
        public var returns: Int?
        public var price: Int?
        public var rightsControllerWorkId: Int?
        public var rightShare: Int?
        public var allocatedAmount: Int?

        init(columns: [String]) {
            func at(_ name: String) -> Int? { columns.firstIndex(of: name) }
            blockId = at("BlockId")
            summaryRecordId = at("SummaryRecordId")
            distributionChannel = at("DistributionChannel")
            distributionChannelDPID = at("DistributionChannelDPID")
            commercialModel = at("CommercialModel")
            useType = at("UseType")
            territory = at("Territory")
            serviceDescription = at("ServiceDescription")
            totalUsages = at("TotalUsages")
            subscribers = at("Subscribers")
            currencyOfReporting = at("CurrencyOfReporting")
            netRevenue = at("NetRevenue")
            indirectValue = at("IndirectValue")
            currencyOfTransaction = at("CurrencyOfTransaction")
            exchangeRate = at("ExchangeRate")
            rightsController = at("RightsController")
            rightsControllerPartyId = at("RightsControllerPartyId")
            rightsType = at("RightsType")
            allocatedUsages = at("AllocatedUsages")
            allocatedRevenue = at("AllocatedRevenue")
            allocatedNetRevenue = at("AllocatedNetRevenue")
            releaseReference = at("ReleaseReference")
            dspReleaseId = at("DspReleaseId")
            proprietaryReleaseId = at("ProprietaryReleaseId")
            catalogNumber = at("CatalogNumber")
            icpn = at("ICPN")
            displayArtistName = at("DisplayArtistName")
            title = at("Title")
            subTitle = at("SubTitle")
            releaseType = at("ReleaseType")
            labelName = at("LabelName")
            releaseDate = at("ReleaseDate")
            resourceReference = at("ResourceReference")
            dspResourceId = at("DspResourceId")
            isrc = at("ISRC")
            duration = at("Duration")
            resourceType = at("ResourceType")
            iswc = at("ISWC")
            salesTransactionId = at("SalesTransactionId")
            transactedRelease = at("TransactedRelease")
            transactedResource = at("TransactedResource")
            isRoyaltyBearing = at("IsRoyaltyBearing")
            usages = at("Usages")
            returns = at("Returns")
            price = at("Price")
            rightsControllerWorkId = at("RightsControllerWorkId")
            rightShare = at("RightShare")
            allocatedAmount = at("AllocatedAmount")
        }
    }
}
