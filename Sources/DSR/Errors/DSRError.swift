import DDEXModel

/// Why a DSR file or report was rejected, and exactly where.
///
/// `code` is stable (see `DSRError.Code`); `file` is the file name, `line` the 1-based physical line,
/// `cell` the 1-based cell index and `column` the cell's name in the record layout.
public struct DSRError: CodedError, Sendable, Equatable {
    /// The stable codes of DSR failures (listed in the README).
    public enum Code: String, Sendable, CaseIterable {
        /// The gzip stream ended before its last member was complete.
        case gzipTruncated = "DSR_GZIP_TRUNCATED"
        /// The gzip data is damaged (bad header, bad deflate data, CRC or length mismatch, trailing junk).
        case gzipCorrupt = "DSR_GZIP_CORRUPT"
        /// The file could not be opened or read.
        case io = "DSR_IO"
        /// A cell is not valid UTF-8.
        case encoding = "DSR_ENCODING"
        /// A line is longer than the reader's limit (a binary or broken file).
        case lineTooLong = "DSR_LINE_TOO_LONG"
        /// The record type (cell 1) is not one this reader knows in that exact version.
        case unknownRecord = "DSR_UNKNOWN_RECORD"
        /// A record has fewer cells than its mandatory ones, or non-empty cells beyond its layout.
        case cellCount = "DSR_CELL_COUNT"
        /// A cell's value breaks its rule (not a number, not an amount, an empty mandatory cell, …).
        case cellInvalid = "DSR_CELL_INVALID"
        /// A FOOT count disagrees with the file or report.
        case footMismatch = "DSR_FOOT_MISMATCH"
        /// The file ended without a FOOT record (a truncated file).
        case footMissing = "DSR_FOOT_MISSING"
        /// The first record is not HEAD.
        case headMissing = "DSR_HEAD_MISSING"
        /// A record is out of place (a second HEAD, a summary after a block, a record after FOOT).
        case recordOrder = "DSR_RECORD_ORDER"
        /// The file name does not follow `DSR_<recipient>_<sender>_<service>_<period>_<territory>_<XofY>_<created>.tsv[.gz]`.
        case fileName = "DSR_FILE_NAME"
        /// The file name and the HEAD record disagree (file x of y).
        case fileNameMismatch = "DSR_FILE_NAME_MISMATCH"
        /// A multi-file report lacks some of its files.
        case missingFile = "DSR_MISSING_FILE"
        /// The files of one report disagree (HEAD cells, or summary records that should repeat).
        case reportInconsistent = "DSR_REPORT_INCONSISTENT"
        /// Two summary records share SummaryRecordId (and RightsController).
        case summaryDuplicate = "DSR_SUMMARY_DUPLICATE"
        /// A file of this name was loaded before with other content, or as part of another report.
        case fileConflict = "DSR_FILE_CONFLICT"
    }

    public var code: String { kind.rawValue }
    public var kind: Code
    /// The file name (without folders).
    public var file: String
    /// The 1-based physical line, when the error is inside the file.
    public var line: Int?
    /// The 1-based cell index, when the error is about one cell.
    public var cell: Int?
    /// The cell's name in its record layout (e.g. `NumberOfStreams`).
    public var column: String?
    public var message: String

    public init(_ kind: Code, file: String, line: Int? = nil, cell: Int? = nil, column: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.cell = cell
        self.column = column
        self.message = message
    }

    /// `file:line: cell 8 (NumberOfStreams)`.
    public var location: String {
        var text = file
        if let line { text += ":\(line)" }
        if let cell {
            text += ": cell \(cell)"
            if let column { text += " (\(column))" }
        }
        return text
    }

    public var description: String { "\(code) at \(location): \(message)" }

    /// The error as a `Problem`.
    public var problem: Problem { .error(ProblemCode(rawValue: code), at: location, message) }
}

extension ProblemCode {
    // Warnings raised while reading DSR reports (errors are `DSRError.Code`).
    /// FOOT NumberOfBlocksInReport disagrees while every line count reconciles (the Orfium AdFunded sample).
    public static let dsrFootBlocksInReport: ProblemCode = "DSR_FOOT_BLOCKS_IN_REPORT"
    /// A usage line names a SummaryRecordId that no summary record has.
    public static let dsrSummaryUnknown: ProblemCode = "DSR_SUMMARY_UNKNOWN"
    /// A usage line names a release or resource reference its block does not define.
    public static let dsrReferenceUnknown: ProblemCode = "DSR_REFERENCE_UNKNOWN"
    /// The file name's sender, recipient or service differs from HEAD.
    public static let dsrFileNameHeadDiffers: ProblemCode = "DSR_FILE_NAME_HEAD_DIFFERS"
    /// More warnings of one code were found than are listed.
    public static let dsrWarningsTruncated: ProblemCode = "DSR_WARNINGS_TRUNCATED"
}
