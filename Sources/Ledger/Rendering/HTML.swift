import DDEXModel

/// HTML helpers: escaping and the page shell shared by statements and overviews. Pages are self-contained:
/// inline CSS and SVG, no scripts, no external assets or URLs.
enum HTML {
    /// Escapes text for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = HTMLBytes()
        out.escaped(text)
        return out.string
    }

    /// An amount for display: half-even to the currency's minor unit, with thousands separators.
    static func money(_ amount: MicroAmount, _ currency: String) -> String {
        var out = HTMLBytes()
        out.money(amount, decimals: CurrencyMinorUnits.decimals(for: currency))
        return out.string
    }

    static func count(_ value: Int64) -> String {
        var out = HTMLBytes()
        out.count(value)
        return out.string
    }

    /// A change from `previous` to `current` as a signed percentage with one decimal, or an em dash.
    static func change(_ current: MicroAmount, from previous: MicroAmount?) -> String {
        guard let previous, previous.micro != 0 else { return "—" }
        // Integer arithmetic in tenths of a percent, half-even; display only.
        let delta = current.micro - previous.micro
        guard let tenths = WideArithmetic.scaleHalfEven(delta, numerator: 1000, denominator: previous.micro.magnitude) else { return "—" }
        let sign = tenths > 0 ? "+" : (tenths < 0 ? "−" : "")
        return "\(sign)\(tenths.magnitude / 10).\(tenths.magnitude % 10)%"
    }

    static let style = """
    :root { color-scheme: light; }
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #1d2330; margin: 0; background: #f4f5f7; }
    main { max-width: 1080px; margin: 0 auto; padding: 32px 40px 48px; background: #fff; min-height: 100vh; box-sizing: border-box; }
    header { border-bottom: 3px solid #2f5fd0; padding-bottom: 14px; margin-bottom: 24px; }
    header .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: #5b6475; }
    h1 { font-size: 28px; margin: 4px 0 2px; }
    h2 { font-size: 18px; margin: 32px 0 10px; color: #22304f; }
    .meta { color: #5b6475; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 8px 0 8px; }
    .card { border: 1px solid #dde1e8; border-radius: 8px; padding: 10px 14px; }
    .card .label { font-size: 12px; color: #5b6475; text-transform: uppercase; letter-spacing: .04em; }
    .card .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
    .card.primary { background: #2f5fd0; border-color: #2f5fd0; color: #fff; }
    .card.primary .label { color: #dbe4fb; }
    table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
    th, td { padding: 6px 10px; border-bottom: 1px solid #e6e9ef; text-align: left; vertical-align: top; }
    th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #5b6475; border-bottom: 2px solid #cfd5df; }
    td.num, th.num { text-align: right; white-space: nowrap; }
    table.detail { font-size: 13px; }
    table.detail th, table.detail td { padding: 5px 6px; }
    tr.total td { font-weight: 600; border-top: 2px solid #cfd5df; }
    .neg { color: #b42318; }
    .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
    .chart h3 { font-size: 14px; margin: 0 0 6px; color: #22304f; }
    .muted { color: #5b6475; font-size: 13px; }
    code { font-size: 13px; }
    a { color: #2f5fd0; }
    footer { margin-top: 40px; color: #5b6475; font-size: 12px; border-top: 1px solid #e6e9ef; padding-top: 10px; }
    @media print { body { background: #fff; } main { padding: 0; } }
    """

    static func page(title: String, body: String) -> String {
        var out = HTMLBytes(capacity: body.utf8.count + style.utf8.count + 512)
        page(title: title, into: &out) { $0.raw(body) }
        return out.string
    }

    /// A whole page into `out`: the shell around what `body` appends.
    static func page(title: String, into out: inout HTMLBytes, body: (inout HTMLBytes) -> Void) {
        out.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        out.escaped(title)
        out.raw("</title>\n<style>\n")
        out.raw(style)
        out.raw("\n</style>\n</head>\n<body>\n<main>\n")
        body(&out)
        out.raw("\n</main>\n</body>\n</html>\n")
    }

    /// A figure in a card; `id` names it for readers of the page (and the browser test).
    static func card(_ label: String, _ value: String, primary: Bool = false, id: String? = nil) -> String {
        let idAttribute = id.map { " id=\"\(escape($0))\"" } ?? ""
        return "<div class=\"card\(primary ? " primary" : "")\"\(idAttribute)><div class=\"label\">\(escape(label))</div><div class=\"value\">\(escape(value))</div></div>"
    }

    /// A chart and a table of the same rows (largest first), under one heading.
    static func breakdown(_ title: String, _ rows: [(name: String, amount: MicroAmount)], _ currency: String, id: String) -> String {
        var out = "<section id=\"\(escape(id))\"><h2>\(escape(title))</h2><div class=\"charts\"><div class=\"chart\">"
        out += SVGBarChart.render(title: title, rows: rows, currency: currency) + "</div><div><table><tbody>"
        for row in rows { out += "<tr><td>\(escape(row.name))</td>\(amountCell(row.amount, currency))</tr>" }
        return out + "</tbody></table></div></div></section>"
    }

    /// Links to the pages of a paged document, the current one in bold.
    static func pager(_ names: [String], current: Int) -> String {
        guard names.count > 1 else { return "" }
        let links = names.enumerated().map { index, name in
            index == current ? "<strong>\(index + 1)</strong>" : "<a href=\"\(escape(name))\">\(index + 1)</a>"
        }
        return "<nav class=\"pager\">Pages: " + links.joined(separator: " ") + "</nav>"
    }

    /// A table cell holding an amount, red when negative.
    static func amountCell(_ amount: MicroAmount, _ currency: String) -> String {
        var out = HTMLBytes()
        out.amountCell(amount, decimals: CurrencyMinorUnits.decimals(for: currency))
        return out.string
    }
}
