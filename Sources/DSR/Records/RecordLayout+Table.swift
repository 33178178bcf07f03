extension RecordLayout {
    /// Every record type this reader knows, keyed by its exact versioned name.
    ///
    /// Types whose cell list DSR.md could not confirm (SY02.04, SY03.02, SU03.03, LI01.04, the SRxx
    /// single-record-block rows) are deliberately absent: reading them by guesswork could put a count in
    /// a money cell, so they are rejected as `DSR_UNKNOWN_RECORD`.
    /// The layout a usage view names before any line was read.
    static let placeholder: RecordLayout = known["SU02.02"]!

    public static let known: [String: RecordLayout] = {
        var table: [String: RecordLayout] = [:]
        for layout in all { table[layout.recordType] = layout }
        return table
    }()

    static let all: [RecordLayout] = {
        let sy01 = ["RecordType", "SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel",
                    "UseType", "Territory", "ServiceDescription", "TotalUsages", "Subscribers", "CurrencyOfReporting",
                    "NetRevenue", "IndirectValue", "CurrencyOfTransaction", "ExchangeRate"]
        let sy02 = ["RecordType", "SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel",
                    "UseType", "Territory", "ServiceDescription", "TotalUsages", "Subscribers", "CurrencyOfReporting",
                    "NetRevenue", "RightsController", "RightsControllerPartyId", "AllocatedUsages", "AllocatedRevenue",
                    "AllocatedNetRevenue", "RightsType"]
        let sy02x = sy02 + ["ContentCategory", "CurrencyOfTransaction", "ExchangeRate", "RightsTypePercentage"]
        let context = Array(sy01.prefix(8))
        let re01 = ["RecordType", "BlockId", "ReleaseReference", "DspReleaseId", "ProprietaryReleaseId", "CatalogNumber",
                    "ICPN", "DisplayArtistName", "DisplayArtistPartyId", "Title", "SubTitle", "ReleaseType", "LabelName",
                    "PLine", "DataProviderName"]
        let as01 = ["RecordType", "BlockId", "ResourceReference", "DspResourceId", "ISRC", "Title", "SubTitle",
                    "DisplayArtistName", "DisplayArtistPartyId", "Duration", "ResourceType"]
        let as02 = as01 + ["ISWC", "ComposerAuthor", "ComposerAuthorPartyId", "Arranger", "ArrangerPartyId",
                           "MusicPublisher", "MusicPublisherPartyId", "WorkContributor", "WorkContributorPartyId",
                           "ProprietaryWorkId", "IsMasterRecording"]
        let work = ["ComposerAuthor", "ComposerAuthorPartyId", "Arranger", "ArrangerPartyId", "MusicPublisher",
                    "MusicPublisherPartyId", "WorkContributor", "WorkContributorPartyId"]
        let mw01 = ["RecordType", "BlockId", "DspMusicalWorkId", "ISWC", "Title", "SubTitle"] + work
            + ["DataProviderName", "ProprietaryWorkId"]
        let su01 = ["RecordType", "BlockId", "SummaryRecordId", "SalesTransactionId", "TransactedRelease",
                    "TransactedResource", "IsRoyaltyBearing", "SalesUpgrade", "Usages", "Returns", "Price",
                    "PromotionalActivity"]
        let su02 = ["RecordType", "BlockId", "SummaryRecordId", "SalesTransactionId", "TransactedRelease",
                    "TransactedResource", "IsRoyaltyBearing", "Usages", "Price", "PromotionalActivity"]
        let su03 = ["RecordType", "BlockId", "SalesTransactionId", "SummaryRecordId", "DspResourceId", "Usages",
                    "NetRevenue", "ValidityPeriodStart", "ValidityPeriodEnd"]
        let li01 = ["RecordType", "BlockId", "SummaryRecordId", "RightsController", "RightsControllerPartyId",
                    "RightsControllerWorkId", "RightShare", "RightsType", "AllocatedNetRevenue", "AllocatedAmount"]
        let multiRelease: Set<String> = ["ProprietaryReleaseId", "ReleaseDisplayArtist"]
        let multiResource: Set<String> = Set(["ISRC", "ResourceDisplayArtist"] + work)
        return [
            RecordLayout("HEAD", .header, required: 12, [
                "RecordType", "MessageVersion", "Profile", "ProfileVersion", "MessageId", "MessageCreatedDateTime",
                "FileNumber", "NumberOfFiles", "UsageStartDate", "UsageEndDate", "SenderPartyId", "SenderName",
                "ServiceDescription", "RecipientPartyId", "RecipientName", "RepresentedRepertoire",
            ], multiValued: ["RepresentedRepertoire"]),
            RecordLayout("FOOT", .footer, required: 5, [
                "RecordType", "NumberOfLinesInFile", "NumberOfLinesInReport", "NumberOfSummaryRecords",
                "NumberOfBlocksInFile", "NumberOfBlocksInReport",
            ]),

            RecordLayout("SY01.01", .summary, required: 12, sy01),
            RecordLayout("SY01.02", .summary, required: 12, sy01),
            RecordLayout("SY01.03", .summary, required: 12,
                         sy01 + ["ExchangeRateSource", "DateOfCurrencyExchange", "TotalPlaybackDuration"]),
            RecordLayout("SY02.01", .summary, required: 12, sy02),
            RecordLayout("SY02.02", .summary, required: 12, sy02x),
            RecordLayout("SY02.03", .summary, required: 12, sy02x),
            RecordLayout("SY03.01", .summary, required: 12, Array(sy02.prefix(17)) + [
                "RightsControllerMarketShare", "ConsumerPaidUnitPrice", "FreeOrTrialSubscribers",
                "CurrencyOfTransaction", "ExchangeRate", "SubscriberType",
            ]),
            RecordLayout("SY04.01", .summary, required: 19, context + [
                "SubscriberType", "Subscribers", "SubPeriodStartDate", "SubPeriodEndDate", "TotalUsagesInSubPeriod",
                "TotalUsages", "CurrencyOfReporting", "CurrencyOfTransaction", "ExchangeRate", "ConsumerPaidUnitPrice",
                "NetRevenue", "MusicUsagePercentage",
            ]),
            RecordLayout("SY05.03", .summary, required: 18, context + [
                "RightsController", "RightsControllerPartyId", "RightsType", "TotalUsages", "AllocatedUsages",
                "MusicUsagePercentage", "AllocatedNetRevenue", "AllocatedRevenue", "RightsControllerMarketShare",
                "CurrencyOfReporting", "CurrencyOfTransaction", "ExchangeRate", "Deprecated", "SubPeriodStartDate",
                "SubPeriodEndDate", "ContentCategory", "RightsTypePercentage", "ParentSummaryRecordId",
            ]),

            RecordLayout("RE01", .release, required: 3, re01, multiValued: multiRelease),
            RecordLayout("RE01.02", .release, required: 3, re01 + ["ReleaseDate"], multiValued: multiRelease),
            RecordLayout("RE01.03", .release, required: 3, re01 + ["ReleaseDate", "ReleaseDisplayArtist"],
                         multiValued: multiRelease),
            RecordLayout("RE02", .otherBlock, required: 3, [
                "RecordType", "BlockId", "ReleaseReference", "DspSubReleaseId", "ProprietarySubReleaseId",
                "UsedResources",
            ], multiValued: ["ProprietarySubReleaseId", "UsedResources"]),

            RecordLayout("AS01", .resource, required: 3, as01, multiValued: multiResource),
            RecordLayout("AS01.01", .resource, required: 3, as01 + ["IsMasterRecording"], multiValued: multiResource),
            RecordLayout("AS01.02", .resource, required: 3,
                         as01 + ["IsMasterRecording", "IsSubjectToOwnershipConflict", "LastConflictCheck"],
                         multiValued: multiResource),
            RecordLayout("AS01.03", .resource, required: 3,
                         as01 + ["IsMasterRecording", "IsSubjectToOwnershipConflict", "LastConflictCheck",
                                 "ResourceDisplayArtist"], multiValued: multiResource),
            RecordLayout("AS02.02", .resource, required: 3, as02, multiValued: multiResource),
            RecordLayout("AS02.03", .resource, required: 3, as02 + ["IsSubjectToOwnershipConflict", "LastConflictCheck"],
                         multiValued: multiResource),
            RecordLayout("AS02.04", .resource, required: 3,
                         as02 + ["IsSubjectToOwnershipConflict", "LastConflictCheck", "ResourceDisplayArtist"],
                         multiValued: multiResource),

            RecordLayout("MW01.01", .otherBlock, required: 2, mw01, multiValued: Set(work)),
            RecordLayout("MW01.02", .otherBlock, required: 2,
                         mw01 + ["ResourceReference", "ParentLicensorDataRecordId", "ParentMasterlistId"],
                         multiValued: Set(work)),
            RecordLayout("MW01.03", .otherBlock, required: 2,
                         mw01 + ["ResourceReference", "ParentLicensorDataRecordId", "ParentMasterlistId"],
                         multiValued: Set(work)),
            RecordLayout("RU01", .otherBlock, required: 2,
                         ["RecordType", "BlockId", "SummaryRecordId", "DspReleaseId", "Usages"],
                         multiValued: ["DspReleaseId", "Usages"]),
            RecordLayout("RU01.02", .otherBlock, required: 2,
                         ["RecordType", "BlockId", "SummaryRecordId", "DspReleaseId", "Usages", "ContentCategory",
                          "ParentResourceReference"], multiValued: ["DspReleaseId", "Usages"]),

            RecordLayout("SU01", .usage, required: 9, su01),
            RecordLayout("SU01.02", .usage, required: 9, su01 + ["UseType"]),
            RecordLayout("SU01.03", .usage, required: 9, su01 + ["UseType"]),
            RecordLayout("SU02", .usage, required: 8, su02),
            RecordLayout("SU02.02", .usage, required: 8, su02 + ["UseType"]),
            RecordLayout("SU02.03", .usage, required: 8, su02 + ["UseType", "PlaybackDuration"]),
            RecordLayout("SU03.01", .usage, required: 7, su03),
            RecordLayout("SU03.02", .usage, required: 7, su03 + ["ContentCategory", "IsRoyaltyBearing"]),

            RecordLayout("LI01", .licensor, required: 4, li01),
            RecordLayout("LI01.01", .licensor, required: 4, li01),
            RecordLayout("LI01.03", .licensor, required: 4,
                         li01 + ["AllocatedUsages", "ParentSalesTransactionId", "LicensorDataRecordId"]),
        ]
    }()
}
