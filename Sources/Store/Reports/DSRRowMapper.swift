import DDEXModel
import DSR

/// Turns a report's events, in report order, into the rows of its tables, whatever the engine: which cell goes in
/// which column (`DSRRowTable.columns`), and which row a row names — a usage line its block's release and resource
/// (`release_id`, `resource_id`), a licensor line the sales line it details (`parent_line_id`). The ids themselves
/// are the sink's: SQLite's row ids, or ids PostgreSQL reserved before the rows were copied.
package struct DSRRowMapper<Sink: DSRRowSink> {
    package var sink: Sink
    package let reportId: Int64
    /// Usage and licensor lines written.
    package private(set) var usageLineCount = 0

    /// Row ids of the current block's releases and resources, by their report-wide ordinal.
    private var blockOrdinal = -1
    private var releaseOrdinal = -1
    private var resourceOrdinal = -1
    private var releaseRows: [Int: Int64] = [:]
    private var resourceRows: [Int: Int64] = [:]
    private var lastSalesLine: (position: DSRPosition, rowId: Int64)?

    package init(sink: Sink, reportId: Int64) {
        self.sink = sink
        self.reportId = reportId
    }

    /// Writes a batch in report order: each event after the usage lines that came before it.
    package mutating func write(_ batch: DSRUsageBatch) throws {
        var next = 0
        let events = batch.events
        try batch.arena.withUnsafeBytes { arena in
            for (index, row) in batch.rows.enumerated() {
                while next < events.count, events[next].before == index {
                    try write(events[next].event)
                    next += 1
                }
                try writeUsage(row, arena: arena)
            }
        }
        while next < events.count {
            try write(events[next].event)
            next += 1
        }
    }

    /// One usage line, its text cells handed over where they lie in the batch's arena (no `String` per cell).
    private mutating func writeUsage(_ row: DSRUsageBatch.Row, arena: UnsafeRawBufferPointer) throws {
        enter(block: row.blockOrdinal)
        func text(_ span: DSRUsageBatch.Span) throws {
            try sink.text(bytes: UnsafeRawBufferPointer(rebasing: arena[Int(span.start)..<Int(span.start + span.count)]))
        }
        let t = row.texts
        try sink.begin(.usageLines)
        try sink.integer(reportId)
        try sink.integer(row.fileNumber)
        try sink.integer(row.line)
        try text(t.1)  // block_id
        try text(t.0)  // record_type
        try text(t.2)  // summary_record_id
        try sink.text("")  // rights_controller: licensor lines only
        try text(t.3)  // sales_transaction_id
        try text(t.4)  // release_reference
        try text(t.5)  // resource_reference
        try text(t.6)  // dsp_resource_id
        try sink.integer(row.releaseOrdinal.flatMap { releaseRows[$0] })
        try sink.integer(row.resourceOrdinal.flatMap { resourceRows[$0] })
        try text(t.7)  // isrc
        try text(t.8)  // icpn
        try text(t.9)  // use_type
        try sink.integer(row.usages)
        try sink.integer(row.returns)
        try sink.integer(row.isRoyaltyBearing.map { $0 ? 1 : 0 })
        try sink.integer(row.priceMicro)
        try sink.integer(row.netRevenueMicro)
        for _ in 0..<3 { try sink.integer(nil) }  // a licensor line's money and parent
        let id = try sink.end()
        usageLineCount += 1
        lastSalesLine = (DSRPosition(fileNumber: row.fileNumber, line: row.line), id)
    }

    private mutating func enter(block: Int) {
        guard block != blockOrdinal else { return }
        blockOrdinal = block
        releaseRows.removeAll(keepingCapacity: true)
        resourceRows.removeAll(keepingCapacity: true)
        lastSalesLine = nil
    }

    /// Writes one event's row, if it has one.
    package mutating func write(_ event: DSRReportEvent) throws {
        switch event {
        case .fileStarted(_, let header):
            guard header.fileNumber == 1 else { return }
            try writeHead(header)
        case .summary(let s, let position):
            try writeSummary(s, position)
        case .release(let r, let position, let block):
            enter(block: block)
            releaseOrdinal += 1
            releaseRows[releaseOrdinal] = try writeRelease(r, position)
        case .resource(let r, let position, let block):
            enter(block: block)
            resourceOrdinal += 1
            resourceRows[resourceOrdinal] = try writeResource(r, position)
        case .usage(let line):
            var batch = DSRUsageBatch(capacity: 1)
            batch.append(line)
            try write(batch)
        case .licensor(let l, let position, let block, let parent):
            enter(block: block)
            try writeLicensor(l, position, parent: parent)
        case .fileFinished(let file):
            try writeFile(file)
        }
    }

    /// The report's HEAD (file 1's) onto its `dsr_reports` row.
    private mutating func writeHead(_ header: DSRHeader) throws {
        try sink.begin(.reportHead)
        for text in [header.messageId, header.messageVersion, header.profile, header.profileVersion, header.messageCreatedDateTime] {
            try sink.text(text)
        }
        try sink.integer(header.createdUnixMilliseconds)
        for text in [header.usageStartDate, header.usageEndDate, header.senderPartyId, header.senderName, header.recipientPartyId,
                     header.recipientName, header.serviceDescription] {
            try sink.text(text)
        }
        try sink.integer(reportId)
        _ = try sink.end()
    }

    private mutating func writeFile(_ file: DSRFileSummary) throws {
        try sink.begin(.reportFiles)
        try sink.integer(reportId)
        try sink.text(file.name.text)
        try sink.integer(file.name.fileNumber)
        try sink.integer(file.name.numberOfFiles)
        try sink.text(file.sha256)
        try sink.integer(file.sizeBytes)
        try sink.integer(file.lineCount)
        try sink.integer(file.blockCount)
        _ = try sink.end()
    }

    private mutating func writeSummary(_ s: DSRSummary, _ position: DSRPosition) throws {
        try sink.begin(.summaries)
        try sink.integer(reportId)
        try sink.integer(position.line)
        for text in [s.recordType, s.summaryRecordId, s.rightsController, s.distributionChannel, s.distributionChannelDPID,
                     s.commercialModel, s.useType, s.territory, s.serviceDescription] {
            try sink.text(text)
        }
        try sink.integer(s.totalUsages)
        try sink.integer(s.subscribers)
        try sink.text(s.currencyOfReporting)
        try sink.integer(s.netRevenue?.micro)
        try sink.text(s.netRevenueText)
        try sink.integer(s.indirectValue?.micro)
        for text in [s.currencyOfTransaction, s.exchangeRateText, s.rightsControllerPartyId, s.rightsType] {
            try sink.text(text)
        }
        try sink.integer(s.allocatedUsages)
        try sink.integer(s.allocatedRevenue?.micro)
        try sink.integer(s.allocatedNetRevenue?.micro)
        _ = try sink.end()
    }

    private mutating func writeRelease(_ r: DSRReleaseRecord, _ position: DSRPosition) throws -> Int64 {
        try sink.begin(.releases)
        try sink.integer(reportId)
        try sink.integer(position.fileNumber)
        try sink.integer(position.line)
        for text in [r.blockId, r.recordType, r.releaseReference, r.dspReleaseId, JSONText.array(r.proprietaryReleaseIds),
                     r.catalogNumber, r.icpn, r.displayArtistName, r.title, r.subTitle, r.releaseType, r.labelName,
                     r.releaseDate] {
            try sink.text(text)
        }
        return try sink.end()
    }

    private mutating func writeResource(_ r: DSRResourceRecord, _ position: DSRPosition) throws -> Int64 {
        try sink.begin(.resources)
        try sink.integer(reportId)
        try sink.integer(position.fileNumber)
        try sink.integer(position.line)
        for text in [r.blockId, r.recordType, r.resourceReference, r.dspResourceId, r.isrc, JSONText.array(r.isrcs), r.title,
                     r.subTitle, r.displayArtistName, r.duration, r.resourceType, r.iswc] {
            try sink.text(text)
        }
        return try sink.end()
    }

    /// A licensor line (LI01), linked to the sales line it details when that is the last one written.
    private mutating func writeLicensor(_ l: DSRLicensorRecord, _ position: DSRPosition, parent: DSRPosition?) throws {
        let parentRow = parent.flatMap { parent in lastSalesLine.flatMap { $0.position == parent ? $0.rowId : nil } }
        try sink.begin(.usageLines)
        try sink.integer(reportId)
        try sink.integer(position.fileNumber)
        try sink.integer(position.line)
        for text in [l.blockId, l.recordType, l.summaryRecordId, l.rightsController, "", "", "", ""] {
            try sink.text(text)  // the sales transaction and the references are a sales line's
        }
        try sink.integer(nil)  // release_id
        try sink.integer(nil)  // resource_id
        for _ in 0..<3 { try sink.text("") }  // isrc, icpn, use_type
        try sink.integer(l.allocatedUsages ?? 0)
        for _ in 0..<4 { try sink.integer(nil) }  // returns, is_royalty_bearing, price, net revenue
        try sink.integer(l.allocatedNetRevenue?.micro)
        try sink.integer(l.allocatedAmount?.micro)
        try sink.integer(parentRow)
        _ = try sink.end()
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
