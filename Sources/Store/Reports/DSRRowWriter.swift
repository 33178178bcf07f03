import DDEXModel
import DSR

/// Writes the rows of one report's events with statements prepared once.
final class DSRRowWriter {
    private let reportId: Int64
    private let database: Database
    private let updateHead: Statement
    private let insertFile: Statement
    private let insertSummary: Statement
    private let insertRelease: Statement
    private let insertResource: Statement
    private let insertLine: Statement

    /// Row ids of the current block's releases and resources, by their report-wide ordinal.
    private var blockOrdinal = -1
    private var releaseOrdinal = -1
    private var resourceOrdinal = -1
    private var releaseRows: [Int: Int64] = [:]
    private var resourceRows: [Int: Int64] = [:]
    private var lastSalesLine: (position: DSRPosition, rowId: Int64)?
    private(set) var usageLineCount = 0

    init(database: Database, reportId: Int64) throws {
        self.database = database
        self.reportId = reportId
        updateHead = try database.prepare("""
            UPDATE dsr_reports SET message_id = ?, message_version = ?, profile = ?, profile_version = ?, created_at = ?,
                created_unix_ms = ?, period_start = ?, period_end = ?, sender_party_id = ?, sender_name = ?,
                recipient_party_id = ?, recipient_name = ?, service_description = ?
            WHERE id = ?
            """)
        insertFile = try database.prepare("""
            INSERT INTO dsr_report_files (report_id, file_name, file_number, number_of_files, sha256, size_bytes,
                                          line_count, block_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (report_id, file_number) DO UPDATE SET file_name = excluded.file_name,
                number_of_files = excluded.number_of_files, sha256 = excluded.sha256, size_bytes = excluded.size_bytes,
                line_count = excluded.line_count, block_count = excluded.block_count
            """)
        insertSummary = try database.prepare("""
            INSERT INTO dsr_summaries (report_id, line_number, record_type, summary_record_id, rights_controller,
                distribution_channel, distribution_channel_dpid, commercial_model, use_type, territory,
                service_description, total_usages, subscribers, currency_of_reporting, net_revenue_micro,
                net_revenue_text, indirect_value_micro, currency_of_transaction, exchange_rate_text,
                rights_controller_party_id, rights_type, allocated_usages, allocated_revenue_micro,
                allocated_net_revenue_micro)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertRelease = try database.prepare("""
            INSERT INTO dsr_releases (report_id, file_number, line_number, block_id, record_type, release_reference,
                dsp_release_id, proprietary_release_ids, catalog_number, icpn, display_artist_name, title, sub_title,
                release_type, label_name, release_date)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertResource = try database.prepare("""
            INSERT INTO dsr_resources (report_id, file_number, line_number, block_id, record_type, resource_reference,
                dsp_resource_id, isrc, isrcs, title, sub_title, display_artist_name, duration, resource_type, iswc)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertLine = try database.prepare("""
            INSERT INTO dsr_usage_lines (report_id, file_number, line_number, block_id, record_type, summary_record_id,
                rights_controller, sales_transaction_id, release_reference, resource_reference, dsp_resource_id,
                release_id, resource_id, isrc, icpn, use_type, usages, returns, is_royalty_bearing, price_micro,
                net_revenue_micro, allocated_net_revenue_micro, allocated_amount_micro, parent_line_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insertLine.bind(reportId, at: 1)
        try insertLine.bind("", at: 7)
        for parameter: Int32 in 22...24 { try insertLine.bindNull(at: parameter) }
    }

    /// Writes a batch in report order: each event after the usage lines that came before it.
    func write(_ batch: DSRUsageBatch) throws {
        var next = 0
        try batch.arena.withUnsafeBufferPointer { arena in
            for (index, row) in batch.rows.enumerated() {
                while next < batch.events.count, batch.events[next].before == index {
                    try write(batch.events[next].event)
                    next += 1
                }
                try writeUsage(row, arena: arena)
            }
        }
        while next < batch.events.count {
            try write(batch.events[next].event)
            next += 1
        }
    }

    /// One usage line, its text cells bound where they lie in the batch's arena: SQLite reads them without a copy.
    private func writeUsage(_ row: DSRUsageBatch.Row, arena: UnsafeBufferPointer<UInt8>) throws {
        enter(block: row.blockOrdinal)
        let s = insertLine
        func text(_ span: DSRUsageBatch.Span, _ parameter: Int32) throws {
            try s.bindTextNoCopy(arena.baseAddress.map { $0 + Int(span.start) }, count: Int(span.count), at: parameter)
        }
        let t = row.texts
        try text(t.0, 5)
        try text(t.1, 4)
        try text(t.2, 6)
        try text(t.3, 8)
        try text(t.4, 9)
        try text(t.5, 10)
        try text(t.6, 11)
        try text(t.7, 14)
        try text(t.8, 15)
        try text(t.9, 16)
        try s.bind(Int64(row.fileNumber), at: 2)
        try s.bind(Int64(row.line), at: 3)
        try s.bind(row.releaseOrdinal.flatMap { releaseRows[$0] }, at: 12)
        try s.bind(row.resourceOrdinal.flatMap { resourceRows[$0] }, at: 13)
        try s.bind(row.usages, at: 17)
        try s.bind(row.returns, at: 18)
        try s.bind(row.isRoyaltyBearing, at: 19)
        try s.bind(row.priceMicro, at: 20)
        try s.bind(row.netRevenueMicro, at: 21)
        try s.run()
        usageLineCount += 1
        lastSalesLine = (DSRPosition(fileNumber: row.fileNumber, line: row.line), database.lastInsertRowID)
    }

    private func enter(block: Int) {
        guard block != blockOrdinal else { return }
        blockOrdinal = block
        releaseRows.removeAll(keepingCapacity: true)
        resourceRows.removeAll(keepingCapacity: true)
        lastSalesLine = nil
    }

    func write(_ event: DSRReportEvent) throws {
        switch event {
        case .fileStarted(_, let header):
            guard header.fileNumber == 1 else { return }
            try writeHead(header)
        case .summary(let s, let position):
            try writeSummary(s, position)
        case .release(let r, let position, let block):
            try writeRelease(r, position, block)
        case .resource(let r, let position, let block):
            try writeResource(r, position, block)
        case .usage(let line):
            var batch = DSRUsageBatch(capacity: 1)
            batch.append(line)
            try write(batch)
        case .licensor(let l, let position, let block, let parent):
            try writeLicensor(l, position, block, parent: parent)
        case .fileFinished(let file):
            try insertFile.bind([
                .integer(reportId), .text(file.name.text), .integer(file.name.fileNumber),
                .integer(file.name.numberOfFiles), .text(file.sha256), .integer(file.sizeBytes),
                .integer(file.lineCount), .integer(file.blockCount),
            ])
            try insertFile.run()
        }
    }

    /// The report's HEAD (file 1's) onto its `dsr_reports` row.
    private func writeHead(_ header: DSRHeader) throws {
        try updateHead.bind([
            .text(header.messageId), .text(header.messageVersion), .text(header.profile), .text(header.profileVersion),
            .text(header.messageCreatedDateTime), .integer(header.createdUnixMilliseconds),
            .text(header.usageStartDate), .text(header.usageEndDate), .text(header.senderPartyId),
            .text(header.senderName), .text(header.recipientPartyId), .text(header.recipientName),
            .text(header.serviceDescription), .integer(reportId),
        ])
        try updateHead.run()
    }

    private func writeSummary(_ s: DSRSummary, _ position: DSRPosition) throws {
        try insertSummary.bind([
            .integer(reportId), .integer(position.line), .text(s.recordType), .text(s.summaryRecordId),
            .text(s.rightsController), .text(s.distributionChannel), .text(s.distributionChannelDPID),
            .text(s.commercialModel), .text(s.useType), .text(s.territory), .text(s.serviceDescription),
            .integer(s.totalUsages), .integer(s.subscribers), .text(s.currencyOfReporting),
            .integer(s.netRevenue?.micro), .text(s.netRevenueText), .integer(s.indirectValue?.micro),
            .text(s.currencyOfTransaction), .text(s.exchangeRateText), .text(s.rightsControllerPartyId),
            .text(s.rightsType), .integer(s.allocatedUsages), .integer(s.allocatedRevenue?.micro),
            .integer(s.allocatedNetRevenue?.micro),
        ])
        try insertSummary.run()
    }

    private func writeRelease(_ r: DSRReleaseRecord, _ position: DSRPosition, _ block: Int) throws {
        enter(block: block)
        releaseOrdinal += 1
        try insertRelease.bind([
            .integer(reportId), .integer(position.fileNumber), .integer(position.line), .text(r.blockId),
            .text(r.recordType), .text(r.releaseReference), .text(r.dspReleaseId),
            .text(JSONText.array(r.proprietaryReleaseIds)), .text(r.catalogNumber), .text(r.icpn),
            .text(r.displayArtistName), .text(r.title), .text(r.subTitle), .text(r.releaseType), .text(r.labelName),
            .text(r.releaseDate),
        ])
        try insertRelease.run()
        releaseRows[releaseOrdinal] = database.lastInsertRowID
    }

    private func writeResource(_ r: DSRResourceRecord, _ position: DSRPosition, _ block: Int) throws {
        enter(block: block)
        resourceOrdinal += 1
        try insertResource.bind([
            .integer(reportId), .integer(position.fileNumber), .integer(position.line), .text(r.blockId),
            .text(r.recordType), .text(r.resourceReference), .text(r.dspResourceId), .text(r.isrc),
            .text(JSONText.array(r.isrcs)), .text(r.title), .text(r.subTitle), .text(r.displayArtistName),
            .text(r.duration), .text(r.resourceType), .text(r.iswc),
        ])
        try insertResource.run()
        resourceRows[resourceOrdinal] = database.lastInsertRowID
    }

    /// A licensor line (LI01), linked to the sales line it details when that is the last one written.
    private func writeLicensor(_ l: DSRLicensorRecord, _ position: DSRPosition, _ block: Int, parent: DSRPosition?) throws {
        enter(block: block)
        let parentRow = parent.flatMap { parent in lastSalesLine.flatMap { $0.position == parent ? $0.rowId : nil } }
        let s = insertLine
        try s.bind([
            .integer(reportId), .integer(position.fileNumber), .integer(position.line), .text(l.blockId),
            .text(l.recordType), .text(l.summaryRecordId), .text(l.rightsController), .text(""), .text(""),
            .text(""), .text(""), .null, .null, .text(""), .text(""), .text(""), .integer(l.allocatedUsages ?? 0),
            .null, .null, .null, .null, .integer(l.allocatedNetRevenue?.micro), .integer(l.allocatedAmount?.micro),
            .integer(parentRow),
        ])
        try s.run()
        usageLineCount += 1
    }
}

/// A JSON array of strings, for multi-value cells (`["GBAHT0900445","GBAHT0900446"]`).
enum JSONText {
    static func array(_ values: [String]) -> String {
        var text = "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        text.unicodeScalars.append(scalar)
                    }
                }
            }
            text += "\""
        }
        return text + "]"
    }
}
