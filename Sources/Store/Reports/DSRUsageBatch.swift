import DSR

/// A batch of a report's events as the reader thread hands them to the writer: usage lines packed as their
/// stored cells' bytes in one arena with fixed-size rows (no `String` per cell on either thread), the rare other
/// events kept whole with the number of usage lines that come before them, so the writer keeps report order.
package struct DSRUsageBatch: Sendable {
    /// A cell's place in `arena`.
    package struct Span: Sendable {
        package var start: Int32
        package var count: Int32
    }

    /// One usage line: its position, numbers and the spans of its text cells.
    package struct Row: Sendable {
        var fileNumber: Int
        var line: Int
        var blockOrdinal: Int
        var releaseOrdinal: Int?
        var resourceOrdinal: Int?
        var usages: Int64
        var returns: Int64?
        var isRoyaltyBearing: Bool?
        var priceMicro: Int64?
        var netRevenueMicro: Int64?
        /// recordType, blockId, summaryRecordId, salesTransactionId, releaseReference, resourceReference,
        /// dspResourceId, isrc, icpn, useType.
        var texts: (Span, Span, Span, Span, Span, Span, Span, Span, Span, Span)
    }

    package private(set) var arena: [UInt8] = []
    package private(set) var rows: [Row] = []
    /// Other events, each after the first `before` usage rows.
    package private(set) var events: [(before: Int, event: DSRReportEvent)] = []

    package init(capacity: Int) {
        arena.reserveCapacity(capacity * 96)
        rows.reserveCapacity(capacity)
    }

    /// Usage lines and other events.
    package var count: Int { rows.count + events.count }

    /// How many rows of the tables other rows name by id (`DSRRowTable.isReferenced`) the batch makes: what an
    /// engine that gives rows their ids before writing them reserves.
    package var referencedRowCounts: (releases: Int, resources: Int, usageLines: Int) {
        var counts = (releases: 0, resources: 0, usageLines: rows.count)
        for (_, event) in events {
            switch event {
            case .release: counts.releases += 1
            case .resource: counts.resources += 1
            case .usage, .licensor: counts.usageLines += 1
            case .fileStarted, .summary, .fileFinished: break
            }
        }
        return counts
    }

    package mutating func append(_ event: DSRReportEvent) { events.append((rows.count, event)) }

    /// Copies the view's stored cells (valid only now) into the batch.
    package mutating func append(_ view: DSRUsageView) {
        func cell(_ cell: DSRCellBytes) -> Span { keepBytes(cell.bytes) }
        let recordType = keep(view.recordType)  // a short inline String: no allocation
        rows.append(Row(
            fileNumber: view.position.fileNumber, line: view.position.line, blockOrdinal: view.blockOrdinal,
            releaseOrdinal: view.releaseOrdinal, resourceOrdinal: view.resourceOrdinal, usages: view.usages,
            returns: view.returns, isRoyaltyBearing: view.isRoyaltyBearing, priceMicro: view.price?.micro,
            netRevenueMicro: view.netRevenue?.micro,
            texts: (recordType, cell(view.blockId), cell(view.summaryRecordId), cell(view.salesTransactionId),
                    cell(view.releaseReference), cell(view.resourceReference), cell(view.dspResourceId), cell(view.isrc),
                    cell(view.icpn), cell(view.useType))))
    }

    /// An owned line (a caller that read events, not views).
    package mutating func append(_ line: DSRUsageLine) {
        let u = line.record
        rows.append(Row(
            fileNumber: line.position.fileNumber, line: line.position.line, blockOrdinal: line.blockOrdinal,
            releaseOrdinal: line.releaseOrdinal, resourceOrdinal: line.resourceOrdinal, usages: u.usages, returns: u.returns,
            isRoyaltyBearing: u.isRoyaltyBearing, priceMicro: u.price?.micro, netRevenueMicro: u.netRevenue?.micro,
            texts: (keep(u.recordType), keep(u.blockId), keep(u.summaryRecordId), keep(u.salesTransactionId),
                    keep(u.releaseReference), keep(u.resourceReference), keep(u.dspResourceId), keep(line.isrc),
                    keep(line.icpn), keep(u.useType))))
    }

    private mutating func keep(_ text: String) -> Span {
        var text = text
        return text.withUTF8 { keepBytes(UnsafeRawBufferPointer($0)) }
    }

    private mutating func keepBytes(_ bytes: UnsafeRawBufferPointer) -> Span {
        let start = arena.count
        arena.append(contentsOf: bytes)
        return Span(start: Int32(start), count: Int32(bytes.count))
    }
}
