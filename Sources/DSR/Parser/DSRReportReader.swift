import DDEXModel

/// Reads every file of one report in order and checks what no single file can: X of Y against HEAD,
/// HEAD and summary records repeated alike in every file, the report totals in the last FOOT, and the
/// references of usage lines to summaries and to their block's release and resources.
///
/// Pull events with `next()` until nil. Memory holds one line, the summaries, and the current block's
/// release and resource references: it does not grow with the number of lines.
///
/// Warnings (kept in `warnings`, at most `warningLimit` per code):
/// - `DSR_FOOT_BLOCKS_IN_REPORT`: the last FOOT's NumberOfBlocksInReport is wrong or empty although every
///   line count reconciles, so nothing is missing (the Orfium AdFunded sample says 94 for 3 blocks).
/// - `DSR_SUMMARY_UNKNOWN`: a usage or licensor line names no known summary (that sample's lines say
///   `SY1`, its summary `1`). The line is kept; accounting cannot allocate it to a summary.
/// - `DSR_REFERENCE_UNKNOWN`: a usage line names a release or resource its block lacks.
/// - `DSR_FILE_NAME_HEAD_DIFFERS`: the file name's sender, recipient or service is not in HEAD.
public final class DSRReportReader {
    public let report: DSRReportFiles
    public private(set) var warnings: [Problem] = []
    public let warningLimit: Int
    private var warningCounts: [ProblemCode: Int] = [:]

    private var fileIndex = -1
    private var parser: DSRFileParser?
    private var currentName: DSRFileName?
    private var currentFileNumber = 0
    /// The current file's name text, for warnings.
    private var currentFileText: String { currentName?.text ?? "" }
    /// HEAD of file 1, which later files are checked against.
    public private(set) var firstHeader: DSRHeader?
    /// The summary records (of file 1).
    public private(set) var summaries: [DSRSummary] = []
    private var summaryKeys = Set<DSRSummaryKey>()
    /// The summaries' ids, looked up by a line's bytes.
    private let summaryIds = ByteKeyTable()
    /// The usage line `nextItem()` returned `.usage` for last (valid until the next call).
    public private(set) var usage = DSRUsageView.none
    private var summaryIndexInFile = 0

    private var blockOrdinal = -1
    private var parserBlockCount = 0
    /// The current block's releases (reference → ICPN) and resources (reference or DSP id → ISRC).
    private let blockReleases = ByteKeyTable()
    private let blockResources = ByteKeyTable()
    private var lastSalesLine: DSRPosition?
    private var releaseOrdinal = -1
    private var resourceOrdinal = -1

    /// Files read to the end, in order.
    public private(set) var finishedFiles: [DSRFileSummary] = []
    private var done = false

    /// A reader of the report's files in file-number order; nothing is opened until the first `next()`. At most
    /// `warningLimit` warnings are kept per code, then one saying that more follow.
    public init(report: DSRReportFiles, warningLimit: Int = 50) {
        self.report = report
        self.warningLimit = warningLimit
    }

    /// The file being read (its name), for progress and errors.
    public var currentFileName: String? { currentName?.text }
    /// Bytes read of the current file.
    public var currentFileBytesRead: Int64 { parser?.bytesRead ?? 0 }
    /// Physical lines read of the current file.
    public var currentFileLinesRead: Int { parser?.linesRead ?? 0 }

    /// The next event, or nil when every file was read and the report reconciles.
    public func next() throws(DSRError) -> DSRReportEvent? {
        switch try nextItem() {
        case .event(let event): return event
        case .usage: return .usage(usage.line)
        case nil: return nil
        }
    }

    /// The next event, or `.usage` for a usage line lent as the view `usage`, or nil when every file was read and
    /// the report reconciles. A view makes no `String` and is valid only until the next call; the checks and
    /// warnings are `next()`'s. This is how the loader reads: most of a report is usage lines.
    public func nextItem() throws(DSRError) -> DSRReportItem? {
        while !done {
            guard let parser else {
                try openNextFile()
                continue
            }
            guard let item = try parser.nextItem() else {
                return .event(.fileFinished(try closeFile(parser)))
            }
            // The file name is a struct of many strings: it is only copied on the rare paths below.
            let position = DSRPosition(fileNumber: currentFileNumber, line: parser.lineNumber)
            if parser.blockCount != parserBlockCount {
                parserBlockCount = parser.blockCount
                startBlock()
            }
            switch consume item {
            case .usage:
                try lendUsage(of: parser, at: position)
                return .usage
            case .record(let record):
                if let event = try event(for: record, at: position) { return .event(event) }
            }
        }
        return nil
    }

    /// Ends the current file: its summary, and no parser until the next file opens.
    private func closeFile(_ parser: DSRFileParser) throws(DSRError) -> DSRFileSummary {
        let summary = try finishFile(parser, name: currentName ?? report.files[fileIndex].name)
        self.parser = nil
        self.currentName = nil
        return summary
    }

    /// Makes the parser's usage line the reader's `usage` view, with its position in the report and its references
    /// resolved in the current block.
    private func lendUsage(of parser: DSRFileParser, at position: DSRPosition) throws(DSRError) {
        try checkSummariesComplete(line: position.line)
        lastSalesLine = position
        var view = parser.usage
        view.position = position
        resolve(&view)
        usage = view
    }

    /// The event a record other than a usage line makes, after the checks that come with it (block references,
    /// summaries complete before the blocks); nil for a record that makes none.
    private func event(for record: consuming DSRRecord, at position: DSRPosition) throws(DSRError) -> DSRReportEvent? {
        switch consume record {
        case .header(let header):
            let name = report.files[fileIndex].name
            try checkHeader(header, name: name, line: position.line)
            return .fileStarted(name, header)
        case .summary(let summary):
            return try takeSummary(summary, name: report.files[fileIndex].name, position: position)
        case .release(let release):
            releaseOrdinal += 1
            blockReleases.insert(release.releaseReference, value: release.icpn, ordinal: releaseOrdinal)
            return .release(release, position, blockOrdinal: blockOrdinal)
        case .resource(let resource):
            resourceOrdinal += 1
            blockResources.insert(resource.resourceReference, value: resource.isrc, ordinal: resourceOrdinal)
            if !resource.dspResourceId.isEmpty, resource.dspResourceId != resource.resourceReference {
                blockResources.insert(resource.dspResourceId, value: resource.isrc, ordinal: resourceOrdinal, replacing: false)
            }
            return .resource(resource, position, blockOrdinal: blockOrdinal)
        case .usage:
            preconditionFailure("the parser lends usage lines as views")
        case .licensor(let licensor):
            try checkSummariesComplete(line: position.line)
            checkSummary(licensor.summaryRecordId, line: position.line, allowEmpty: false)
            return .licensor(licensor, position, blockOrdinal: blockOrdinal, parent: lastSalesLine)
        case .otherBlockRecord, .footer:
            try checkSummariesComplete(line: position.line)
            return nil
        }
    }

    private func openNextFile() throws(DSRError) {
        fileIndex += 1
        guard fileIndex < report.files.count else {
            try finishReport()
            done = true
            return
        }
        let file = report.files[fileIndex]
        parser = try DSRFileParser(path: file.path, gzip: file.name.isGzip)
        currentName = file.name
        currentFileNumber = file.name.fileNumber
        summaryIndexInFile = 0
        parserBlockCount = 0
        lastSalesLine = nil
    }

    private func startBlock() {
        blockOrdinal += 1
        blockReleases.removeAll()
        blockResources.removeAll()
        lastSalesLine = nil
    }

    // MARK: HEAD

    private func checkHeader(_ header: DSRHeader, name: DSRFileName, line: Int) throws(DSRError) {
        if header.fileNumber != name.fileNumber || header.numberOfFiles != name.numberOfFiles {
            throw DSRError(.fileNameMismatch, file: name.text, line: line, cell: 7, column: "FileNumber",
                           "HEAD says file \(header.fileNumber) of \(header.numberOfFiles), the file name \(name.hasFileCount ? "says \(name.fileNumber)of\(name.numberOfFiles)" : "has no XofY (1 of 1)")")
        }
        let location = "\(name.text):\(line)"
        if name.sender != header.senderPartyId, name.sender != header.senderName {
            warn(.dsrFileNameHeadDiffers, at: location, "the file name's sender '\(name.sender)' is neither SenderPartyId '\(header.senderPartyId)' nor SenderName '\(header.senderName)'")
        }
        if !name.recipient.isEmpty, name.recipient != header.recipientPartyId, name.recipient != header.recipientName,
           !header.representedRepertoire.contains(name.recipient) {
            warn(.dsrFileNameHeadDiffers, at: location, "the file name's recipient '\(name.recipient)' is neither RecipientPartyId '\(header.recipientPartyId)' nor RecipientName '\(header.recipientName)'")
        }
        if !name.service.isEmpty, !header.serviceDescription.isEmpty, name.service != header.serviceDescription {
            warn(.dsrFileNameHeadDiffers, at: location, "the file name's service '\(name.service)' differs from ServiceDescription '\(header.serviceDescription)'")
        }
        guard let first = firstHeader else {
            firstHeader = header
            return
        }
        let pairs: [(String, String, String, Int)] = [
            ("SenderPartyId", first.senderPartyId, header.senderPartyId, 11),
            ("RecipientPartyId", first.recipientPartyId, header.recipientPartyId, 14),
            ("ServiceDescription", first.serviceDescription, header.serviceDescription, 13),
            ("UsageStartDate", first.usageStartDate, header.usageStartDate, 9),
            ("UsageEndDate", first.usageEndDate, header.usageEndDate, 10),
            ("Profile", first.profile, header.profile, 3),
        ]
        for (column, expected, actual, cell) in pairs where expected != actual {
            throw DSRError(.reportInconsistent, file: name.text, line: line, cell: cell, column: column,
                           "\(column) is '\(actual)', but file 1 of the report says '\(expected)'")
        }
    }

    // MARK: Summaries

    private func takeSummary(_ summary: DSRSummary, name: DSRFileName, position: DSRPosition) throws(DSRError) -> DSRReportEvent? {
        defer { summaryIndexInFile += 1 }
        if fileIndex == 0 {
            guard summaryKeys.insert(summary.key).inserted else {
                throw DSRError(.summaryDuplicate, file: name.text, line: position.line, cell: 2, column: "SummaryRecordId",
                               "summary \(summary.key) appears twice")
            }
            summaryIds.insert(summary.summaryRecordId, value: "", ordinal: summaries.count)
            summaries.append(summary)
            return .summary(summary, position)
        }
        // Later files repeat the full set of summary records (DSR Part 1 §6.3): check, do not load twice.
        guard summaryIndexInFile < summaries.count, summaries[summaryIndexInFile] == summary else {
            throw DSRError(.reportInconsistent, file: name.text, line: position.line, cell: 2, column: "SummaryRecordId",
                           "summary record \(summaryIndexInFile + 1) (\(summary.key)) differs from file 1's; every file must repeat the same summary records")
        }
        return nil
    }

    private func checkSummariesComplete(line: Int) throws(DSRError) {
        if fileIndex > 0, summaryIndexInFile != summaries.count {
            throw DSRError(.reportInconsistent, file: currentFileText, line: line,
                           "this file repeats \(summaryIndexInFile) of the \(summaries.count) summary records of file 1; every file must repeat all of them")
        }
    }

    /// Lines name their summary by SummaryRecordId; UGC summaries sharing an id differ by RightsController,
    /// which the line's own RightsController (LI01) or the accounting picks.
    private func checkSummary(_ id: String, line: Int, allowEmpty: Bool) {
        if id.isEmpty {
            if !allowEmpty { warn(.dsrSummaryUnknown, at: "\(currentFileText):\(line)", "the line names no SummaryRecordId") }
            return
        }
        if summaryIds.lookup(id) != nil { return }
        warn(.dsrSummaryUnknown, at: "\(currentFileText):\(line)", "SummaryRecordId '\(id)' matches no summary record (known: \(summaries.prefix(5).map(\.key.description).joined(separator: ", "))\(summaries.count > 5 ? ", …" : ""))")
    }

    // MARK: Lines

    private func resolve(_ view: inout DSRUsageView) {
        view.blockOrdinal = blockOrdinal
        let line = view.position.line
        // The parser already refused an empty SummaryRecordId where it is mandatory (all but SU03). A report's
        // lines name one summary after another: the last known one is checked by its bytes.
        if !view.summaryRecordId.isEmpty, summaryIds.lookup(view.summaryRecordId) == nil {
            checkSummary(view.summaryRecordId.string, line: line, allowEmpty: true)
        }
        view.icpn = blockReleases.firstNonEmptyValue
        if !view.releaseReference.isEmpty {
            if let release = blockReleases.lookup(view.releaseReference) {
                view.icpn = release.value
                view.releaseOrdinal = release.ordinal
            } else {
                warn(.dsrReferenceUnknown, at: "\(currentFileText):\(line)", "TransactedRelease '\(view.releaseReference.string)' is not a release of block \(view.blockId.string)")
            }
        }
        let resourceKey = view.resourceReference.isEmpty ? view.dspResourceId : view.resourceReference
        if !resourceKey.isEmpty {
            if let resource = blockResources.lookup(resourceKey) {
                view.isrc = resource.value
                view.resourceOrdinal = resource.ordinal
            } else {
                warn(.dsrReferenceUnknown, at: "\(currentFileText):\(line)", "resource '\(resourceKey.string)' is not a resource of block \(view.blockId.string)")
            }
        }
    }

    // MARK: FOOT

    private func finishFile(_ parser: DSRFileParser, name: DSRFileName) throws(DSRError) -> DSRFileSummary {
        guard let header = parser.header, let footer = parser.footer else {
            throw DSRError(.footMissing, file: name.text, "the file ended without HEAD and FOOT")
        }
        let summary = DSRFileSummary(name: name, path: report.files[fileIndex].path, sha256: parser.sha256,
                                     sizeBytes: parser.bytesRead, header: header, footer: footer,
                                     lineCount: footer.numberOfLinesInFile, blockCount: parser.blockCount,
                                     summaryCount: parser.summaryCount)
        finishedFiles.append(summary)
        return summary
    }

    private func finishReport() throws(DSRError) {
        guard let last = finishedFiles.last else { return }
        let footLine = last.lineCount
        let totalLines = finishedFiles.reduce(0) { $0 + $1.lineCount }
        let totalBlocks = finishedFiles.reduce(0) { $0 + $1.blockCount }
        guard let linesInReport = last.footer.numberOfLinesInReport else {
            throw DSRError(.footMismatch, file: last.name.text, line: footLine, cell: 3, column: "NumberOfLinesInReport",
                           "NumberOfLinesInReport is empty; the last file of a report must give it (\(totalLines))")
        }
        if linesInReport != totalLines {
            throw DSRError(.footMismatch, file: last.name.text, line: footLine, cell: 3, column: "NumberOfLinesInReport",
                           "NumberOfLinesInReport is \(linesInReport), but the report's \(finishedFiles.count) file(s) have \(totalLines) lines")
        }
        if last.footer.numberOfBlocksInReport != totalBlocks {
            // Every line is accounted for, so a wrong block total cannot hide missing data: a warning.
            let given = last.footer.numberOfBlocksInReport.map(String.init) ?? "empty"
            warn(.dsrFootBlocksInReport, at: "\(last.name.text):\(footLine): cell 6 (NumberOfBlocksInReport)",
                 "NumberOfBlocksInReport is \(given), but the report has \(totalBlocks) blocks (every line count reconciles)")
        }
    }

    private func warn(_ code: ProblemCode, at location: String, _ message: String) {
        let count = warningCounts[code, default: 0] + 1
        warningCounts[code] = count
        if count <= warningLimit {
            warnings.append(.warning(code, at: location, message))
        } else if count == warningLimit + 1 {
            warnings.append(.warning(.dsrWarningsTruncated, at: report.key.description,
                                     "more \(code) warnings follow; only the first \(warningLimit) are listed"))
        }
    }

    /// How many warnings of `code` were found, listed or not.
    public func warningCount(_ code: ProblemCode) -> Int { warningCounts[code, default: 0] }
}

/// One step of `DSRReportReader.nextItem()`: an event, or a usage line lent as the reader's `usage` view.
///
/// An event is boxed (`indirect`): the item stays one word, so returning the `.usage` of most lines copies nothing
/// of the hundreds of bytes a file's HEAD or summary takes.
public enum DSRReportItem {
    indirect case event(DSRReportEvent)
    case usage
}
