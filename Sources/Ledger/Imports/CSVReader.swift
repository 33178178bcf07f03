import DDEXModel
import Foundation

/// A strict RFC 4180 reader: comma-separated fields, optional double-quoted fields with `""` for a quote,
/// records ended by CRLF or LF. It streams the file in chunks and hands each record to a closure.
///
/// Strict means every deviation is an error naming the file and line: a quote inside an unquoted field,
/// text after a closing quote, an unterminated quote, a lone CR, bytes that are not UTF-8.
public struct CSVReader {
    public let path: String

    public init(path: String) { self.path = path }

    private enum State {
        case fieldStart
        case unquoted
        case quoted
        /// A quote inside a quoted field: the next byte decides (`"` escape, `,`, or the end of the record).
        case quoteInQuoted
        /// A CR outside quotes: only LF may follow.
        case carriageReturn
    }

    /// Calls `body` with each record's fields and the line it starts on (1-based).
    public func forEachRecord(_ body: ([String], Int) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LedgerError(.ledgerFileUnreadable, at: path, "cannot open the file")
        }
        defer { try? handle.close() }
        var state = State.fieldStart
        var field: [UInt8] = []
        var fields: [String] = []
        var line = 1
        var recordLine = 1
        var first = true
        var recordOpen = false

        func fail(_ why: String) -> LedgerError {
            LedgerError(.ledgerCSVMalformed, at: "\(path):\(line)", why)
        }
        func endField() throws {
            guard let text = String(validating: field, as: UTF8.self) else { throw fail("a field is not valid UTF-8") }
            fields.append(text)
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() throws {
            try endField()
            try body(fields, recordLine)
            fields.removeAll(keepingCapacity: true)
            recordOpen = false
        }

        while true {
            guard let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty else { break }
            var bytes = Array(chunk)[...]
            if first {
                first = false
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            }
            for c in bytes {
                if !recordOpen {
                    recordOpen = true
                    recordLine = line
                }
                switch state {
                case .fieldStart, .unquoted:
                    switch c {
                    case UInt8(ascii: ","):
                        try endField()
                        state = .fieldStart
                    case UInt8(ascii: "\n"):
                        try endRecord()
                        line += 1
                        state = .fieldStart
                    case UInt8(ascii: "\r"):
                        state = .carriageReturn
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
                    case UInt8(ascii: ","):
                        try endField()
                        state = .fieldStart
                    case UInt8(ascii: "\n"):
                        try endRecord()
                        line += 1
                        state = .fieldStart
                    case UInt8(ascii: "\r"):
                        state = .carriageReturn
                    default:
                        throw fail("text after the closing quote of a field")
                    }
                case .carriageReturn:
                    guard c == UInt8(ascii: "\n") else { throw fail("a carriage return not followed by a line feed") }
                    try endRecord()
                    line += 1
                    state = .fieldStart
                }
            }
        }
        switch state {
        case .quoted:
            throw LedgerError(.ledgerCSVMalformed, at: "\(path):\(recordLine)", "a quoted field is not closed before the end of the file")
        case .carriageReturn, .quoteInQuoted, .unquoted:
            try endRecord()
        case .fieldStart:
            if recordOpen { try endRecord() }  // a last record ending in a comma
        }
    }
}
