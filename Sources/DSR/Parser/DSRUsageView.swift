import DDEXModel

/// A sales/usage line as the reader lends it: its kept cells as bytes in the reader's buffers, its numbers parsed,
/// its block references resolved. Nothing is copied and no `String` is made: valid only until the reader is asked
/// for its next record. `line` makes an owned `DSRUsageLine` of it.
///
/// It holds no reference counted value (the layout is one of the static `RecordLayout.known`), so it is copied
/// as plain bytes: at millions of lines a second, retaining and releasing per copy would cost more than the parse.
///
/// Every cell of the line was checked before it is lent (UTF-8, cell count, numbers, booleans, amounts), exactly
/// as for `DSRUsageLine`; only the decoding into `String`s is left out.
public struct DSRUsageView: @unchecked Sendable {
    // Unchecked: the byte views point into the reader's buffers and are only read, on the reader's thread.
    /// Unowned: layouts live in the static table for the life of the process.
    public unowned(unsafe) var layout: RecordLayout
    public var position: DSRPosition
    /// The report-wide ordinal of the block (0-based), filled in by `DSRReportReader`.
    public var blockOrdinal: Int
    public var blockId: DSRCellBytes
    public var summaryRecordId: DSRCellBytes
    public var salesTransactionId: DSRCellBytes
    public var releaseReference: DSRCellBytes
    public var resourceReference: DSRCellBytes
    public var dspResourceId: DSRCellBytes
    public var useType: DSRCellBytes
    public var isRoyaltyBearing: Bool?
    public var usages: Int64
    public var returns: Int64?
    public var price: MicroAmount?
    public var netRevenue: MicroAmount?
    /// ISRC of the block's resource the line names (empty when it names none or an unknown one).
    public var isrc: DSRCellBytes
    /// ICPN of the block's release the line names, else of the block's release (empty when none).
    public var icpn: DSRCellBytes
    /// Report-wide ordinals (0-based, in event order) of the resource and release the line names.
    public var resourceOrdinal: Int?
    public var releaseOrdinal: Int?

    public var recordType: String { layout.recordType }

    /// A view of no line, before the first usage line is read.
    static var none: DSRUsageView {
        DSRUsageView(layout: RecordLayout.placeholder, position: DSRPosition(fileNumber: 0, line: 0), blockOrdinal: -1,
                     blockId: .empty, summaryRecordId: .empty, salesTransactionId: .empty, releaseReference: .empty,
                     resourceReference: .empty, dspResourceId: .empty, useType: .empty, isRoyaltyBearing: nil, usages: 0,
                     returns: nil, price: nil, netRevenue: nil, isrc: .empty, icpn: .empty, resourceOrdinal: nil,
                     releaseOrdinal: nil)
    }

    /// The owned record: every kept cell as a `String`.
    public var record: DSRUsageRecord {
        DSRUsageRecord(recordType: layout.recordType, blockId: blockId.string, summaryRecordId: summaryRecordId.string,
                       salesTransactionId: salesTransactionId.string, releaseReference: releaseReference.string,
                       resourceReference: resourceReference.string, dspResourceId: dspResourceId.string,
                       isRoyaltyBearing: isRoyaltyBearing, usages: usages, returns: returns, price: price,
                       netRevenue: netRevenue, useType: useType.string)
    }

    /// The owned line, as `DSRReportReader.next()` returns it.
    public var line: DSRUsageLine {
        DSRUsageLine(record: record, position: position, blockOrdinal: blockOrdinal, isrc: isrc.string, icpn: icpn.string,
                     resourceOrdinal: resourceOrdinal, releaseOrdinal: releaseOrdinal)
    }
}
