import DDEXModel

/// Statements as RFC 4180 CSV for spreadsheets: amounts rounded half-even to the currency's minor unit
/// (display only), CRLF line ends, fields quoted when needed.
public enum StatementCSVRenderer {
    /// Quotes a field when it holds a comma, quote, CR or LF. Text that a spreadsheet would run as a formula
    /// (starting with `=`, `+`, `-`, `@`) gets a leading apostrophe; amounts never go through this path.
    static func text(_ value: String) -> String {
        var v = value
        if let first = v.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) { v = "'" + v }
        return quote(v)
    }

    static func quote(_ v: String) -> String {
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func amount(_ a: MicroAmount, _ currency: String) -> String {
        a.formatted(decimals: CurrencyMinorUnits.decimals(for: currency))
    }

    static func document(_ header: [String], _ rows: [[String]]) -> String {
        var out = header.joined(separator: ",") + "\r\n"
        for row in rows { out += row.joined(separator: ",") + "\r\n" }
        return out
    }

    /// One row per payee: balances and payable.
    public static func renderSummary(_ set: StatementSet) -> String {
        let c = set.currency
        return document(["payee", "period", "currency", "gross", "commission", "earnings", "opening_balance", "recouped",
                         "closing_balance", "payable"],
                        set.statements.map { s in
                            [text(s.payee), s.period.description, c, amount(s.gross, c), amount(s.commission, c),
                             amount(s.earnings, c), amount(s.recoupment.openingBalance, c), amount(s.recoupment.recouped, c),
                             amount(s.recoupment.closingBalance, c), amount(s.recoupment.payable, c)]
                        })
    }

    /// One row per unmatched ISRC (or ICPN/resource id).
    public static func renderUnmatched(_ set: StatementSet) -> String {
        let c = set.currency
        return document(["key", "isrc", "release_icpns", "dsp_resource_id", "reason", "lines", "usages", "amount"],
                        set.unmatched.map { e in
                            [text(e.key), text(e.isrc ?? ""), text(e.releaseICPNs.joined(separator: " ")), text(e.dspResourceId ?? ""),
                             e.reason.rawValue, String(e.lines), String(e.usages), amount(e.amount, c)]
                        })
    }
}
