import DDEXModel

extension DSRFileParser {
    func makeHeader(_ row: DSRRow) throws(DSRError) -> DSRHeader {
        let created = try row.required(5, "MessageCreatedDateTime")
        guard let instant = DSRDateTime.unixMilliseconds(rfc3339: created) else {
            throw row.error(.cellInvalid, 5, "'\(created)' is not an RFC 3339 date-time with a zone (e.g. 2020-07-03T07:59:30Z)")
        }
        let fileNumber = try row.requiredInteger(6, "FileNumber")
        let numberOfFiles = try row.requiredInteger(7, "NumberOfFiles")
        guard numberOfFiles >= 1, numberOfFiles <= 9999 else {
            throw row.error(.cellInvalid, 7, "NumberOfFiles \(numberOfFiles) is not between 1 and 9999")
        }
        guard fileNumber >= 1, fileNumber <= numberOfFiles else {
            throw row.error(.cellInvalid, 6, "FileNumber \(fileNumber) is not between 1 and NumberOfFiles \(numberOfFiles)")
        }
        let start = try row.required(8, "UsageStartDate")
        let end = try row.required(9, "UsageEndDate")
        for (index, date) in [(8, start), (9, end)] where !DSRFileParser.isDate(date) {
            throw row.error(.cellInvalid, index, "'\(date)' is not a date YYYY[-MM[-DD]]")
        }
        return DSRHeader(
            recordType: "HEAD", messageVersion: row.text(1), profile: row.text(2), profileVersion: row.text(3),
            messageId: try row.required(4, "MessageId"), messageCreatedDateTime: created,
            createdUnixMilliseconds: instant, fileNumber: Int(fileNumber), numberOfFiles: Int(numberOfFiles),
            usageStartDate: start, usageEndDate: end, senderPartyId: try row.required(10, "SenderPartyId"),
            senderName: row.text(11), serviceDescription: row.text(12), recipientPartyId: row.text(13),
            recipientName: row.text(14), representedRepertoire: row.values(15))
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with a real month and day.
    static func isDate(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard let year = DSRDateTime.number(b, 0, 4) else { return false }
        switch b.count {
        case 4: return true
        case 7:
            guard b[4] == 0x2D, let month = DSRDateTime.number(b, 5, 2) else { return false }
            return (1...12).contains(month)
        case 10:
            guard b[4] == 0x2D, b[7] == 0x2D, let month = DSRDateTime.number(b, 5, 2),
                  let day = DSRDateTime.number(b, 8, 2) else { return false }
            return DSRDateTime.daysSinceEpoch(year: year, month: month, day: day) != nil
        default: return false
        }
    }

    func makeFooter(_ row: DSRRow, number: Int) throws(DSRError) -> DSRFooter {
        let footer = DSRFooter(
            numberOfLinesInFile: Int(try row.requiredInteger(1, "NumberOfLinesInFile")),
            numberOfLinesInReport: try row.integer(2).map { Int($0) },
            numberOfSummaryRecords: Int(try row.requiredInteger(3, "NumberOfSummaryRecords")),
            numberOfBlocksInFile: Int(try row.requiredInteger(4, "NumberOfBlocksInFile")),
            numberOfBlocksInReport: try row.integer(5).map { Int($0) })
        // Line counts include HEAD, FOOT, blank and `#` lines (tools/README.md, FOOT counting convention).
        if footer.numberOfLinesInFile != number {
            throw row.error(.footMismatch, 1, "NumberOfLinesInFile is \(footer.numberOfLinesInFile), but the file has \(number) lines up to and including FOOT (HEAD, FOOT and # lines count)")
        }
        if footer.numberOfSummaryRecords != summaryCount {
            throw row.error(.footMismatch, 3, "NumberOfSummaryRecords is \(footer.numberOfSummaryRecords), but the file has \(summaryCount) summary records")
        }
        if footer.numberOfBlocksInFile != blockCount {
            throw row.error(.footMismatch, 4, "NumberOfBlocksInFile is \(footer.numberOfBlocksInFile), but the file has \(blockCount) blocks")
        }
        return footer
    }

    func makeSummary(_ row: DSRRow) throws(DSRError) -> DSRSummary {
        let at = row.layout.at
        return DSRSummary(
            recordType: row.layout.recordType,
            summaryRecordId: try row.required(at.summaryRecordId, "SummaryRecordId"),
            distributionChannel: row.text(at.distributionChannel),
            distributionChannelDPID: row.text(at.distributionChannelDPID),
            commercialModel: row.text(at.commercialModel),
            useType: row.text(at.useType),
            territory: row.text(at.territory),
            serviceDescription: row.text(at.serviceDescription),
            totalUsages: try row.integer(at.totalUsages),
            subscribers: try row.integer(at.subscribers),
            currencyOfReporting: row.text(at.currencyOfReporting),
            netRevenue: try row.money(at.netRevenue),
            netRevenueText: row.text(at.netRevenue),
            indirectValue: try row.money(at.indirectValue),
            currencyOfTransaction: row.text(at.currencyOfTransaction),
            exchangeRateText: row.text(at.exchangeRate),
            rightsController: row.text(at.rightsController),
            rightsControllerPartyId: row.text(at.rightsControllerPartyId),
            rightsType: row.text(at.rightsType),
            allocatedUsages: try row.integer(at.allocatedUsages),
            allocatedRevenue: try row.money(at.allocatedRevenue),
            allocatedNetRevenue: try row.money(at.allocatedNetRevenue))
    }

    func makeRelease(_ row: DSRRow) throws(DSRError) -> DSRReleaseRecord {
        let at = row.layout.at
        return DSRReleaseRecord(
            recordType: row.layout.recordType, blockId: currentBlockId,
            releaseReference: try row.required(at.releaseReference, "ReleaseReference"),
            dspReleaseId: row.text(at.dspReleaseId), proprietaryReleaseIds: row.values(at.proprietaryReleaseId),
            catalogNumber: row.text(at.catalogNumber), icpn: row.text(at.icpn),
            displayArtistName: row.text(at.displayArtistName), title: row.text(at.title),
            subTitle: row.text(at.subTitle), releaseType: row.text(at.releaseType), labelName: row.text(at.labelName),
            releaseDate: row.text(at.releaseDate))
    }

    func makeResource(_ row: DSRRow) throws(DSRError) -> DSRResourceRecord {
        let at = row.layout.at
        return DSRResourceRecord(
            recordType: row.layout.recordType, blockId: currentBlockId,
            resourceReference: try row.required(at.resourceReference, "ResourceReference"),
            dspResourceId: row.text(at.dspResourceId), isrcs: row.values(at.isrc), title: row.text(at.title),
            subTitle: row.text(at.subTitle), displayArtistName: row.text(at.displayArtistName),
            duration: row.text(at.duration), resourceType: row.text(at.resourceType), iswc: row.text(at.iswc))
    }

    /// A usage line's view: every cell checked, numbers parsed, text cells lent as bytes.
    func makeUsage(_ row: DSRRow) throws(DSRError) -> DSRUsageView {
        let at = row.layout.at
        let isUGC = row.layout.isUGCUsage
        // SU03.02: SummaryRecordId may be left empty when LI01 records follow and carry it.
        let summary = row.bytes(at.summaryRecordId, decodingInto: &arena)
        if !isUGC, summary.isEmpty, let cell = at.summaryRecordId {
            throw row.error(.cellInvalid, cell, "SummaryRecordId is empty; \(row.layout.recordType) requires it")
        }
        let release = row.bytes(at.transactedRelease, decodingInto: &arena)
        let resource = row.bytes(at.transactedResource, decodingInto: &arena)
        if !isUGC, release.isEmpty == resource.isEmpty, let cell = at.transactedRelease {
            throw row.error(.cellInvalid, cell, release.isEmpty
                ? "neither TransactedRelease nor TransactedResource is given; exactly one must be"
                : "both TransactedRelease and TransactedResource are given; exactly one may be")
        }
        return DSRUsageView(
            layout: row.layout, position: DSRPosition(fileNumber: 0, line: row.lineNumber), blockOrdinal: -1,
            blockId: row.bytes(1, decodingInto: &arena), summaryRecordId: summary,
            salesTransactionId: row.bytes(at.salesTransactionId, decodingInto: &arena), releaseReference: release,
            resourceReference: resource, dspResourceId: row.bytes(at.dspResourceId, decodingInto: &arena),
            useType: row.bytes(at.useType, decodingInto: &arena),
            isRoyaltyBearing: try row.boolean(at.isRoyaltyBearing),
            usages: try row.requiredInteger(at.usages, row.layout.columnName(at: at.usages ?? 0)),
            returns: try row.integer(at.returns, allowNegative: true), price: try row.money(at.price),
            netRevenue: try row.money(at.netRevenue), isrc: .empty, icpn: .empty, resourceOrdinal: nil, releaseOrdinal: nil)
    }

    func makeLicensor(_ row: DSRRow) throws(DSRError) -> DSRLicensorRecord {
        let at = row.layout.at
        return DSRLicensorRecord(
            recordType: row.layout.recordType, blockId: currentBlockId,
            summaryRecordId: row.text(at.summaryRecordId), rightsController: row.text(at.rightsController),
            rightsControllerPartyId: row.text(at.rightsControllerPartyId),
            rightsControllerWorkId: row.text(at.rightsControllerWorkId), rightShareText: row.text(at.rightShare),
            rightsType: row.text(at.rightsType), allocatedNetRevenue: try row.money(at.allocatedNetRevenue),
            allocatedAmount: try row.money(at.allocatedAmount), allocatedUsages: try row.integer(at.allocatedUsages))
    }
}
