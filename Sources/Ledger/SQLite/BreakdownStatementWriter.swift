import DDEXModel
import Foundation

/// Writes statements whose breakdown lives in a `SQLiteBreakdown`: payee by payee, each payee's lines read,
/// rendered and released before the next, so output of any size is written in bounded memory. The files are
/// the ones `StatementWriter` writes for the same set.
public enum BreakdownStatementWriter {
    @discardableResult
    public static func write(_ set: StatementSet, breakdown: SQLiteBreakdown, format: StatementFormat, to folder: String,
                             issuer: String? = nil) throws -> [String]
    {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: folder)
        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: base.appendingPathComponent(name), options: .atomic)
        }
        switch format {
        case .json:
            return try StatementWriter.write(set, format: .json, to: folder, issuer: issuer)
        case .csv:
            try write("statements.csv", StatementCSVRenderer.renderSummary(set))
            try write("unmatched.csv", StatementCSVRenderer.renderUnmatched(set))
            let path = base.appendingPathComponent("statement-lines.csv").path
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw LedgerError(.ledgerFileUnreadable, at: path, "cannot create the file")
            }
            defer { try? handle.close() }
            let c = set.currency
            typealias R = StatementCSVRenderer
            handle.write(Data("payee,dsp,territory,release_icpn,isrc,title,display_artist,use_type,usages,gross,commission,net\r\n".utf8))
            for s in set.statements {
                var chunk = ""
                for l in try breakdown.lines(for: s.payee) {
                    chunk += [R.text(s.payee), R.text(l.dsp), R.text(l.territory), R.text(l.releaseICPN), R.text(l.isrc), R.text(l.title),
                              R.text(l.displayArtist), R.text(l.useType), String(l.usages), R.amount(l.gross, c), R.amount(l.commission, c),
                              R.amount(l.net, c)].joined(separator: ",") + "\r\n"
                }
                handle.write(Data(chunk.utf8))
            }
            return ["statements.csv", "statement-lines.csv", "unmatched.csv"]
        case .html:
            return try StatementHTMLFiles.write(set, to: folder, issuer: issuer) { try breakdown.lines(for: $0.payee) }
        }
    }
}
