import DDEXModel
import Foundation

/// Output formats of `ddexd statements`.
public enum StatementFormat: String, Sendable, CaseIterable, Codable {
    case json
    case csv
    case html
}

/// Writes a statement set into a folder in one format.
public enum StatementWriter {
    /// Writes the files and returns their names (relative to `folder`). The breakdown comes from the run's compact
    /// `LedgerBreakdown` when it kept one, else from the statements' `lines`; either way one payee at a time.
    @discardableResult
    public static func write(_ set: StatementSet, format: StatementFormat, to folder: String, issuer: String? = nil) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var files: [(String, Data)] = []
        switch format {
        case .json:
            files.append(("statements.json", try SummaryJSONRenderer.render(set, includeStatements: true)))
        case .csv:
            files.append(("statements.csv", Data(StatementCSVRenderer.renderSummary(set).utf8)))
            files.append(("unmatched.csv", Data(StatementCSVRenderer.renderUnmatched(set).utf8)))
            try StatementCSVRenderer.writeLines(set, to: URL(fileURLWithPath: folder).appendingPathComponent("statement-lines.csv").path)
        case .html:
            return try StatementHTMLFiles.write(set, to: folder, issuer: issuer) { s in
                set.result.breakdown.map { $0.lines(for: s.payee) } ?? s.lines
            }
        }
        for (name, data) in files {
            try data.write(to: URL(fileURLWithPath: folder).appendingPathComponent(name), options: .atomic)
        }
        return format == .csv ? ["statements.csv", "statement-lines.csv", "unmatched.csv"] : files.map(\.0)
    }

    /// A file-name fragment: ASCII letters and digits, other runs as one hyphen, at most 40 characters.
    static func slug(_ name: String) -> String {
        var out = ""
        var hyphen = false
        for s in name.unicodeScalars {
            if s.isASCII, s.properties.isAlphabetic || ("0"..."9").contains(s) {
                out.unicodeScalars.append(s)
                hyphen = false
            } else if !hyphen, !out.isEmpty {
                out += "-"
                hyphen = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "payee" : String(out.prefix(40)).lowercased()
    }
}
