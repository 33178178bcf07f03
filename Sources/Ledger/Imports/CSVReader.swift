import DDEXModel
import Foundation

/// The ledger's CSV files read from disk: streamed in chunks through the one strict RFC 4180 tokenizer
/// (`CSVTokenizer`), each record handed to a closure. A file that cannot be opened is `LEDGER_FILE_UNREADABLE`;
/// one that is not strict CSV is `LEDGER_CSV_MALFORMED`, naming the file and line.
public struct CSVReader {
    public let path: String

    public init(path: String) { self.path = path }

    /// Calls `body` with each record's fields and the line it starts on (1-based).
    public func forEachRecord(_ body: ([String], Int) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LedgerError(.ledgerFileUnreadable, at: path, "cannot open the file")
        }
        defer { try? handle.close() }
        var tokenizer = CSVTokenizer()
        do {
            while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                for record in try tokenizer.feed(chunk) { try body(record.fields, record.line) }
            }
            if let last = try tokenizer.finish() { try body(last.fields, last.line) }
        } catch let error as CSVTokenizer.SyntaxError {
            throw LedgerError(.ledgerCSVMalformed, at: "\(path):\(error.line)", error.message)
        }
    }

    /// The whole file's bytes (the files `SplitsCSVReader` reads whole), or `LEDGER_FILE_UNREADABLE`.
    func bytes() throws(LedgerError) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LedgerError(.ledgerFileUnreadable, at: path, "cannot open the file")
        }
        defer { try? handle.close() }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw LedgerError(.ledgerFileUnreadable, at: path, "cannot read the file: \(error.localizedDescription)")
        }
    }
}
