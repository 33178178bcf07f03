import DDEXModel
import Foundation

/// Reads the optional `splits.csv` (header `isrc,payee,share_bp`): per-ISRC payee shares in basis points.
///
/// RFC 4180 quoting is understood (payee names may hold commas). Every row is checked; problems name the file
/// and line, e.g. `splits.csv:7: share_bp`.
public struct SplitsCSVReader: Sendable {
    public static let fileName = "splits.csv"

    public struct Result: Sendable {
        /// Splits per ISRC, in file order, for ISRCs whose rows were all valid.
        public var splits: [ISRC: [Split]]
        public var problems: [Problem]
    }

    public init() {}

    /// Reads the file; `knownISRCs` are the release's tracks (rows for other ISRCs are problems).
    public func read(fileAt url: URL, relativePath: String, knownISRCs: Set<ISRC>, maxBytes: Int) -> Result {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            guard data.count <= maxBytes else {
                return Result(splits: [:], problems: [.error(.metadataTooLarge, at: relativePath, "the file is larger than \(maxBytes) bytes")])
            }
            return read(bytes: Array(data), relativePath: relativePath, knownISRCs: knownISRCs)
        } catch {
            return Result(splits: [:], problems: [.error(.metadataUnreadable, at: relativePath, "cannot read the file: \(error.localizedDescription)")])
        }
    }

    public func read(bytes: [UInt8], relativePath file: String, knownISRCs: Set<ISRC>) -> Result {
        var problems: [Problem] = []
        if let bad = ReleaseJSONReader.firstInvalidUTF8(bytes) {
            return Result(splits: [:], problems: [.error(.splitsCSVSyntax, at: "\(file):\(bad.line)", "the file is not UTF-8 (invalid byte at offset \(bad.offset))")])
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let rows: [(line: Int, cells: [String])]
        do {
            rows = try Self.parse(text)
        } catch {
            return Result(splits: [:], problems: [.error(.splitsCSVSyntax, at: "\(file):\(error.line)", error.message)])
        }
        guard let header = rows.first else {
            return Result(splits: [:], problems: [.error(.splitsCSVSyntax, at: file, "the file is empty; it needs the header isrc,payee,share_bp")])
        }
        let names = header.cells.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard names == ["isrc", "payee", "share_bp"] else {
            return Result(splits: [:], problems: [.error(.splitsCSVSyntax, at: "\(file):\(header.line)", "the header must be isrc,payee,share_bp; found \(TextRules.escaped(header.cells.joined(separator: ",")))")])
        }
        var splits: [ISRC: [Split]] = [:]
        var firstLine: [ISRC: Int] = [:]
        var broken: Set<ISRC> = []
        for row in rows.dropFirst() {
            let at = { (field: String) in "\(file):\(row.line): \(field)" }
            if row.cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard row.cells.count == 3 else {
                problems.append(.error(.splitsCSVSyntax, at: "\(file):\(row.line)", "the row has \(row.cells.count) cells; isrc,payee,share_bp needs 3"))
                continue
            }
            let isrc: ISRC
            do {
                isrc = try ISRC(validating: row.cells[0].trimmingCharacters(in: .whitespaces))
            } catch {
                problems.append(error.problem(at: at("isrc")))
                continue
            }
            guard knownISRCs.contains(isrc) else {
                problems.append(.error(.splitsUnknownISRC, at: at("isrc"), "ISRC \(isrc) is not a track of this release"))
                continue
            }
            firstLine[isrc] = firstLine[isrc] ?? row.line
            let payee = row.cells[1].trimmingCharacters(in: .whitespaces)
            let shareText = row.cells[2].trimmingCharacters(in: .whitespaces)
            guard !payee.isEmpty else {
                problems.append(.error(.fieldRequired, at: at("payee"), "the payee is empty"))
                broken.insert(isrc)
                continue
            }
            if let problem = TextRules.problem(payee, field: "payee", at: at("payee")) {
                problems.append(problem)
                broken.insert(isrc)
                continue
            }
            guard let share = Int(shareText), shareText.allSatisfy(\.isNumber) else {
                problems.append(.error(.splitShareInvalid, at: at("share_bp"), "'\(TextRules.escaped(shareText))' is not a whole number of basis points (10000 = 100%)"))
                broken.insert(isrc)
                continue
            }
            guard (1...10000).contains(share) else {
                problems.append(.error(.splitShareInvalid, at: at("share_bp"), "\(share) is outside 1…10000 basis points"))
                broken.insert(isrc)
                continue
            }
            if splits[isrc, default: []].contains(where: { $0.payee == payee }) {
                problems.append(.error(.splitPayeeDuplicate, at: at("payee"), "payee '\(payee)' already has a share of \(isrc)"))
                broken.insert(isrc)
                continue
            }
            splits[isrc, default: []].append(Split(payee: payee, shareBasisPoints: share))
        }
        for (isrc, list) in splits.sorted(by: { $0.key.value < $1.key.value }) where !broken.contains(isrc) {
            let sum = list.reduce(0) { $0 + $1.shareBasisPoints }
            if sum != 10000 {
                problems.append(.error(.splitsSumInvalid, at: "\(file):\(firstLine[isrc] ?? 0): \(isrc)", "the shares of \(isrc) sum to \(sum) basis points; they must sum to 10000"))
                broken.insert(isrc)
            }
        }
        for isrc in broken { splits[isrc] = nil }
        return Result(splits: splits, problems: problems)
    }

    struct SyntaxError: Error {
        var line: Int
        var message: String
    }

    /// Splits CSV text into rows of cells, with their starting line numbers (RFC 4180).
    static func parse(_ text: String) throws(SyntaxError) -> [(line: Int, cells: [String])] {
        var rows: [(line: Int, cells: [String])] = []
        var cells: [String] = []
        var cell = ""
        var line = 1
        var rowLine = 1
        var quoted = false
        var afterQuote = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        chars.removeFirst()
                        cell.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    cell.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case ",":
                cells.append(cell)
                cell = ""
                afterQuote = false
            case "\r":
                continue
            case "\n":
                cells.append(cell)
                rows.append((rowLine, cells))
                cells = []
                cell = ""
                afterQuote = false
                line += 1
                rowLine = line
            case "\"":
                guard cell.trimmingCharacters(in: .whitespaces).isEmpty, !afterQuote else {
                    throw SyntaxError(line: line, message: "a quote inside an unquoted cell; quote the whole cell and double inner quotes")
                }
                cell = ""
                quoted = true
            default:
                if afterQuote, c != " " {
                    throw SyntaxError(line: line, message: "text after the closing quote of a cell")
                }
                if !afterQuote { cell.unicodeScalars.append(c) }
            }
        }
        if quoted { throw SyntaxError(line: rowLine, message: "a quoted cell is not closed before the end of the file") }
        if !cell.isEmpty || !cells.isEmpty {
            cells.append(cell)
            rows.append((rowLine, cells))
        }
        return rows
    }
}
