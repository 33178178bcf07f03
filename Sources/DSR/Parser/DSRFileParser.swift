import DDEXModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one DSR file (`.tsv` or `.tsv.gz`) record by record, in bounded memory.
///
/// Call `next()` until it returns nil. Each call returns one typed record; `#` heading lines and blank
/// lines are skipped but counted, as FOOT counts them. The parser checks the file on its own: HEAD first,
/// summaries before blocks, FOOT last and nothing after it, every cell count and kept cell, and the
/// FOOT's file-level counts. Report-level rules (file x of y, counts over several files, references)
/// are `DSRReportReader`'s.
///
/// The file's SHA-256 and size are computed on the same pass; they are final once `next()` returned nil.
public final class DSRFileParser {
    /// The path as given.
    public let path: String
    /// The file name (last path component), used in every error.
    public let fileName: String
    private let source: DSRByteSource
    private let lines: LineReader
    private var bounds = CellBounds()
    /// Decoded copies of the current line's escaped cells, lent by usage views.
    var arena = DecodeArena()
    private enum Phase { case beforeHead, summaries, blocks, afterFoot, done }
    private var phase = Phase.beforeHead
    /// The last record type (up to 8 bytes packed into an integer) and its layout: lines of one type follow
    /// each other, so most lines find their layout with one comparison.
    private var lastType: (packed: UInt64, count: Int) = (0, -1)
    private var lastLayout: RecordLayout?
    private var blockIdBytes: [UInt8] = []

    /// The usage line `nextItem()` returned `.usage` for last (valid until the next call).
    public internal(set) var usage = DSRUsageView.none

    public private(set) var header: DSRHeader?
    public private(set) var footer: DSRFooter?
    /// Summary records read so far.
    public private(set) var summaryCount = 0
    /// Blocks begun so far (a block is a run of records with one BlockId).
    public private(set) var blockCount = 0
    /// The physical line of the record `next()` returned last.
    public private(set) var lineNumber = 0
    /// The BlockId of the current block ("" before the first block).
    public private(set) var currentBlockId = ""

    /// Opens `path`. `gzip` defaults to whether the name ends in `.gz`.
    public init(path: String, gzip: Bool? = nil, maxLineLength: Int = 1 << 22) throws(DSRError) {
        self.path = path
        let name = path.split(separator: "/").last.map(String.init) ?? path
        fileName = name
        do {
            source = try DSRByteSource(path: path, gzip: gzip ?? name.lowercased().hasSuffix(".gz"))
        } catch {
            throw DSRFileParser.map(error, file: name, line: 0)
        }
        lines = LineReader(source: source, maxLineLength: maxLineLength)
    }

    deinit {
        bounds.deallocate()
        arena.deallocate()
    }

    /// SHA-256 of the file as stored (lowercase hex); final once `next()` returned nil.
    public var sha256: String { source.sha256Hex }
    /// Bytes of the file read so far (its size once `next()` returned nil).
    public var bytesRead: Int64 { source.fileBytesRead }
    /// Physical lines read so far.
    public var linesRead: Int { lines.lineNumber }

    /// The next record, or nil after FOOT when the file is done.
    public func next() throws(DSRError) -> DSRRecord? {
        switch try nextItem() {
        case .record(let record): return record
        case .usage: return .usage(usage.record)
        case nil: return nil
        }
    }

    /// The next record, or `.usage` for a usage line lent as the view `usage` (no `String` made; valid until the
    /// next call), or nil after FOOT when the file is done. The checks are `next()`'s. The view's position has file
    /// number 0 and its block ordinal is -1: the report reader knows them.
    public func nextItem() throws(DSRError) -> DSRFileItem? {
        while true {
            guard var line = try readLine() else { try finish(); return nil }
            let number = lines.lineNumber
            if number == 1, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
                line = UnsafeRawBufferPointer(rebasing: line[3...])
            }
            if phase == .afterFoot {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                throw DSRError(.recordOrder, file: fileName, line: number, "line \(number) follows the FOOT record; FOOT must be the last record")
            }
            if line.isEmpty || line[0] == 0x23 { continue }
            return try record(line, number: number)
        }
    }

    /// The line as a record: split into cells, checked for UTF-8 and its cell count against its type's layout, then
    /// taken by `item` in the file's order of records.
    private func record(_ line: UnsafeRawBufferPointer, number: Int) throws(DSRError) -> DSRFileItem {
        // One pass finds the tabs, whether any backslash escapes them, and whether the line is all ASCII.
        let scan = CellEscapes.split(line, into: &bounds)
        let bounds = self.bounds.offsets
        if !scan.ascii { try checkEncoding(line, bounds: bounds, number: number) }
        let layout = try layoutOf(UnsafeRawBufferPointer(rebasing: line[bounds[0]..<bounds[1]]), number: number)
        try checkCellCount(bounds, layout: layout, number: number)
        let row = DSRRow(line: line, bounds: bounds, escaped: scan.escaped, layout: layout, file: fileName, lineNumber: number)
        lineNumber = number
        return try item(row, layout: layout, lineLength: line.count, number: number)
    }

    /// A line that is not all ASCII must be valid UTF-8; the error names the cell (and its column) of the first bad
    /// byte.
    private func checkEncoding(_ line: UnsafeRawBufferPointer, bounds: UnsafeBufferPointer<Int>, number: Int) throws(DSRError) {
        guard let bad = UTF8Validation.firstInvalidOffset(line) else { return }
        var cell = 0
        while cell + 1 < bounds.count / 2, bounds[2 * cell + 1] < bad { cell += 1 }
        let type = String(decoding: UnsafeRawBufferPointer(rebasing: line[bounds[0]..<bounds[1]]), as: UTF8.self)
        let column = RecordLayout.known[type]?.columnName(at: cell)
        throw DSRError(.encoding, file: fileName, line: number, cell: cell + 1, column: column,
                       "byte 0x\(String(line[bad], radix: 16, uppercase: true)) at offset \(bad + 1) of the line is not valid UTF-8")
    }

    /// At least the layout's required cells; beyond its columns, only empty padding.
    private func checkCellCount(_ bounds: UnsafeBufferPointer<Int>, layout: RecordLayout, number: Int) throws(DSRError) {
        let cells = bounds.count / 2
        if cells > layout.columns.count {
            for index in layout.columns.count..<cells where bounds[2 * index] != bounds[2 * index + 1] {
                throw DSRError(.cellCount, file: fileName, line: number, cell: index + 1, column: nil,
                               "\(layout.recordType) has \(layout.columns.count) cells, but cell \(index + 1) holds data (only empty padding may follow)")
            }
        }
        if cells < layout.requiredCellCount {
            throw DSRError(.cellCount, file: fileName, line: number, cell: cells + 1, column: layout.columnName(at: cells),
                           "\(layout.recordType) needs at least \(layout.requiredCellCount) of its \(layout.columns.count) cells; this record has \(cells)")
        }
    }

    /// The record of `row`, in the order a file must follow (HEAD, summaries, blocks, FOOT); moves the phase on.
    private func item(_ row: DSRRow, layout: RecordLayout, lineLength: Int, number: Int) throws(DSRError) -> DSRFileItem {
        switch layout.family {
        case .header:
            guard phase == .beforeHead else {
                throw DSRError(.recordOrder, file: fileName, line: number, "a second HEAD record; HEAD must be the first record only")
            }
            let header = try makeHeader(row)
            self.header = header
            phase = .summaries
            return .record(.header(header))
        case .footer:
            try requireHead(layout, number)
            let footer = try makeFooter(row, number: number)
            self.footer = footer
            phase = .afterFoot
            return .record(.footer(footer))
        case .summary:
            try requireHead(layout, number)
            guard phase == .summaries else {
                throw DSRError(.recordOrder, file: fileName, line: number,
                               "summary record \(layout.recordType) after the first block; all summary records come before the blocks")
            }
            summaryCount += 1
            return .record(.summary(try makeSummary(row)))
        case .release, .resource, .usage, .licensor, .otherBlock:
            try requireHead(layout, number)
            try enterBlock(row)
            switch layout.family {
            case .release: return .record(.release(try makeRelease(row)))
            case .resource: return .record(.resource(try makeResource(row)))
            case .usage:
                arena.reset(forLineOf: lineLength)
                usage = try makeUsage(row)
                return .usage
            case .licensor: return .record(.licensor(try makeLicensor(row)))
            default: return .record(.otherBlockRecord(recordType: layout.recordType, blockId: currentBlockId))
            }
        }
    }

    private func requireHead(_ layout: RecordLayout, _ number: Int) throws(DSRError) {
        if phase == .beforeHead {
            throw DSRError(.headMissing, file: fileName, line: number, cell: 1, column: "RecordType",
                           "the first record is \(layout.recordType), not HEAD")
        }
    }

    /// Counts a new block when the BlockId changes (blocks are runs of one BlockId).
    private func enterBlock(_ row: DSRRow) throws(DSRError) {
        let blockIndex = 1
        let cell = row.raw(blockIndex)
        if cell.isEmpty { throw row.error(.cellInvalid, blockIndex, "BlockId is empty") }
        phase = .blocks
        if blockCount > 0, blockIdBytes.withUnsafeBytes({ DSRCellBytes(cell).equals($0) }) { return }
        blockIdBytes.removeAll(keepingCapacity: true)
        blockIdBytes.append(contentsOf: cell)
        currentBlockId = row.text(blockIndex)
        blockCount += 1
    }

    private func layoutOf(_ type: UnsafeRawBufferPointer, number: Int) throws(DSRError) -> RecordLayout {
        let packed = Self.packed(type)
        if let lastLayout, type.count == lastType.count, packed == lastType.packed, type.count <= 8 { return lastLayout }
        let name = String(decoding: type, as: UTF8.self)
        guard let layout = RecordLayout.known[name] else {
            if phase == .beforeHead {
                throw DSRError(.headMissing, file: fileName, line: number, cell: 1, column: "RecordType",
                               "the first record is '\(name)', not HEAD")
            }
            let hint = name.isEmpty ? "the record type cell is empty" : "record type '\(name)' is not one this reader knows in that exact version"
            throw DSRError(.unknownRecord, file: fileName, line: number, cell: 1, column: "RecordType",
                           "\(hint) (cell layouts differ between versions, so unknown versions are not guessed)")
        }
        lastType = (packed, type.count)
        lastLayout = layout
        return layout
    }

    /// Up to the first 8 bytes of `type` in one integer (record types are 4 to 7 bytes: `HEAD`, `SU02.02`).
    @inline(__always)
    private static func packed(_ type: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<min(type.count, 8) { value = value << 8 | UInt64(type[index]) }
        return value
    }

    private func readLine() throws(DSRError) -> UnsafeRawBufferPointer? {
        do {
            return try lines.nextLine()
        } catch {
            switch error {
            case .lineTooLong(let limit):
                throw DSRError(.lineTooLong, file: fileName, line: lines.lineNumber + 1,
                               "line \(lines.lineNumber + 1) is longer than \(limit) bytes")
            case .source(let failure):
                throw DSRFileParser.map(failure, file: fileName, line: lines.lineNumber)
            }
        }
    }

    static func map(_ failure: DSRByteSource.Failure, file: String, line: Int) -> DSRError {
        let reached = line > 0 ? " after line \(line)" : " before the first line"
        switch failure {
        case .io(let message):
            return DSRError(.io, file: file, line: line > 0 ? line : nil, message)
        case .gzip(.truncated(let message)):
            return DSRError(.gzipTruncated, file: file, line: line > 0 ? line : nil, "\(message)\(reached)")
        case .gzip(.corrupt(let message)):
            return DSRError(.gzipCorrupt, file: file, line: line > 0 ? line : nil, "gzip data is damaged (\(message))\(reached)")
        }
    }

    /// Checks the file ended after its FOOT.
    private func finish() throws(DSRError) {
        switch phase {
        case .beforeHead:
            throw DSRError(.headMissing, file: fileName, line: nil, "the file holds no HEAD record (\(lines.lineNumber) lines)")
        case .summaries, .blocks:
            throw DSRError(.footMissing, file: fileName, line: lines.lineNumber,
                           "the file ends at line \(lines.lineNumber) without a FOOT record (is it cut short?)")
        case .afterFoot, .done:
            phase = .done
        }
    }
}

/// One step of `DSRFileParser.nextItem()`: a typed record, or a usage line lent as the parser's `usage` view.
///
/// A record is boxed (`indirect`): the item stays one word, so returning the `.usage` of most lines copies nothing
/// of the hundreds of bytes a HEAD or summary record takes.
public enum DSRFileItem {
    indirect case record(DSRRecord)
    case usage
}
