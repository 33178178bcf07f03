/// The one CSV tokenizer: strict RFC 4180 (comma-separated fields, optional double-quoted fields with `""` for a
/// quote, records ended by CRLF or LF), fed bytes in chunks so a caller can stream a file of any size.
///
/// Strict means every deviation is a `SyntaxError` naming the line: a quote inside an unquoted field, text
/// (even a space) after a closing quote, an unterminated quote, a lone CR, a field that is not UTF-8. A UTF-8
/// byte order mark at the very start is skipped (spreadsheets on Windows write one). It knows nothing of headers
/// or problem codes: each reader (`SplitsCSVReader`, the ledger's imports) maps its errors to its own codes.
public struct CSVTokenizer: Sendable {
    /// One record: its fields and the line it starts on (1-based; a quoted field may span lines).
    public struct Record: Sendable, Hashable {
        public var fields: [String]
        public var line: Int

        public init(fields: [String], line: Int) {
            self.fields = fields
            self.line = line
        }
    }

    /// Why the bytes are not CSV, and on which line.
    public struct SyntaxError: Error, Sendable, Hashable {
        public var line: Int
        public var message: String
    }

    private enum State {
        case fieldStart
        case unquoted
        case quoted
        /// A quote inside a quoted field: the next byte decides (`"` escape, `,`, or the end of the record).
        case quoteInQuoted
        /// A CR outside quotes: only LF may follow.
        case carriageReturn
    }

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var line = 1
    private var recordLine = 1
    private var atStart = true
    private var recordOpen = false
    /// A syntax error met after records that `feed` still returned.
    private var pending: SyntaxError?

    public init() {}

    /// Every record of `bytes`, a whole file in memory.
    public static func records(in bytes: some Sequence<UInt8>) throws(SyntaxError) -> [Record] {
        var tokenizer = CSVTokenizer()
        var records = try tokenizer.feed(bytes)
        if let last = try tokenizer.finish() { records.append(last) }
        return records
    }

    /// Takes the next chunk of the input and returns the records it completes. Records before a syntax error are
    /// returned first and the error is thrown by the next call, so a caller meets problems in the file's order.
    public mutating func feed(_ chunk: some Sequence<UInt8>) throws(SyntaxError) -> [Record] {
        if let pending { throw pending }
        var bytes = Array(chunk)[...]
        if atStart, !bytes.isEmpty {
            atStart = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        var records: [Record] = []
        for byte in bytes {
            if !recordOpen {
                recordOpen = true
                recordLine = line
            }
            do {
                if let record = try take(byte) { records.append(record) }
            } catch {
                guard !records.isEmpty else { throw error }
                pending = error
                break
            }
        }
        return records
    }

    /// Ends the input: the last record when it has no line break after it.
    public mutating func finish() throws(SyntaxError) -> Record? {
        if let pending { throw pending }
        switch state {
        case .quoted:
            throw SyntaxError(line: recordLine, message: "a quoted field is not closed before the end of the file")
        case .carriageReturn, .quoteInQuoted, .unquoted:
            return try endRecord()
        case .fieldStart:
            return recordOpen ? try endRecord() : nil  // a last record ending in a comma
        }
    }

    /// One byte of the state machine; a record when the byte ends one.
    private mutating func take(_ c: UInt8) throws(SyntaxError) -> Record? {
        switch state {
        case .fieldStart, .unquoted:
            switch c {
            case UInt8(ascii: ","): try endField()
            case UInt8(ascii: "\n"): return try endLine()
            case UInt8(ascii: "\r"): state = .carriageReturn
            case UInt8(ascii: "\""):
                guard state == .fieldStart else { throw fail("a quote inside an unquoted field (quote the whole field and double the quote)") }
                state = .quoted
            default:
                field.append(c)
                state = .unquoted
            }
        case .quoted:
            if c == UInt8(ascii: "\"") {
                state = .quoteInQuoted
            } else {
                if c == UInt8(ascii: "\n") { line += 1 }
                field.append(c)
            }
        case .quoteInQuoted:
            switch c {
            case UInt8(ascii: "\""):
                field.append(c)
                state = .quoted
            case UInt8(ascii: ","): try endField()
            case UInt8(ascii: "\n"): return try endLine()
            case UInt8(ascii: "\r"): state = .carriageReturn
            default: throw fail("text after the closing quote of a field")
            }
        case .carriageReturn:
            guard c == UInt8(ascii: "\n") else { throw fail("a carriage return not followed by a line feed") }
            return try endLine()
        }
        return nil
    }

    private func fail(_ why: String) -> SyntaxError { SyntaxError(line: line, message: why) }

    private mutating func endField() throws(SyntaxError) {
        guard let text = String(validating: field, as: UTF8.self) else { throw fail("a field is not valid UTF-8") }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }

    private mutating func endLine() throws(SyntaxError) -> Record {
        let record = try endRecord()
        line += 1
        return record
    }

    private mutating func endRecord() throws(SyntaxError) -> Record {
        try endField()
        let record = Record(fields: fields, line: recordLine)
        fields.removeAll(keepingCapacity: true)
        recordOpen = false
        return record
    }
}
