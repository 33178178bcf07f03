/// Where a record is in its report: file number, then physical line. Sorting by this is report order.
public struct DSRPosition: Sendable, Hashable, Comparable {
    public var fileNumber: Int
    public var line: Int

    public init(fileNumber: Int, line: Int) {
        self.fileNumber = fileNumber
        self.line = line
    }

    public static func < (a: DSRPosition, b: DSRPosition) -> Bool {
        (a.fileNumber, a.line) < (b.fileNumber, b.line)
    }
}

/// What a file of the report turned out to be, once read to its end.
public struct DSRFileSummary: Sendable, Hashable {
    public var name: DSRFileName
    public var path: String
    /// SHA-256 of the file as stored (compressed for `.gz`), lowercase hex.
    public var sha256: String
    public var sizeBytes: Int64
    public var header: DSRHeader
    public var footer: DSRFooter
    /// Physical lines up to and including FOOT.
    public var lineCount: Int
    public var blockCount: Int
    public var summaryCount: Int
}

/// A sales/usage line with its block references resolved.
public struct DSRUsageLine: Sendable, Hashable {
    public var record: DSRUsageRecord
    public var position: DSRPosition
    /// The report-wide ordinal of the block (0-based), to tell blocks apart when BlockIds repeat.
    public var blockOrdinal: Int
    /// ISRC of the block's resource the line names ("" when it names none or an unknown one).
    public var isrc: String
    /// ICPN of the block's release the line names, else of the block's release ("" when none).
    public var icpn: String
    /// Report-wide ordinal (0-based, in `.resource` event order) of the resource the line names.
    public var resourceOrdinal: Int?
    /// Report-wide ordinal (0-based, in `.release` event order) of the release the line names.
    public var releaseOrdinal: Int?
}

/// One step of reading a report, in report order.
public enum DSRReportEvent: Sendable {
    /// A file's HEAD was read (files come in order 1...Y).
    case fileStarted(DSRFileName, DSRHeader)
    /// A summary record, from file 1 only: later files repeat them and are checked against these.
    case summary(DSRSummary, DSRPosition)
    case release(DSRReleaseRecord, DSRPosition, blockOrdinal: Int)
    case resource(DSRResourceRecord, DSRPosition, blockOrdinal: Int)
    case usage(DSRUsageLine)
    /// A licensor line (LI01) with the position of the sales line it belongs to (the last one before it
    /// in its block), if any.
    case licensor(DSRLicensorRecord, DSRPosition, blockOrdinal: Int, parent: DSRPosition?)
    /// A file was read to its end and its FOOT reconciled.
    case fileFinished(DSRFileSummary)
}
