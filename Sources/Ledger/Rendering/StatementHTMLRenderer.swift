import DDEXModel

/// HTML pages a label can send: one statement per payee, an index, account overviews and the unmatched report.
public enum StatementHTMLRenderer {
    /// Detail rows on one page: a statement of any size opens in a browser in well under a second.
    public static let detailRowsPerPage = 500
    /// Tracks listed on the first page (the detail pages list every row of every track).
    public static let trackRowsOnFirstPage = 200

    /// The file names of a payee's pages: `first`, then `first` with `-2`, `-3`… before `.html`.
    public static func pageNames(_ s: PayeeStatement, first: String) -> [String] {
        let pages = max(1, (s.lines.count + detailRowsPerPage - 1) / detailRowsPerPage)
        let stem = first.hasSuffix(".html") ? String(first.dropLast(5)) : first
        return [first] + (pages > 1 ? (2...pages).map { "\(stem)-\($0).html" } : [])
    }

    /// The statement of one payee as pages: the first with balances, summary, charts, tracks and the first detail
    /// rows; each further page the next `detailRowsPerPage` detail rows. Returns (file name, HTML) per page.
    public static func renderPages(_ s: PayeeStatement, issuer: String? = nil, fileName: String) -> [(name: String, html: String)] {
        let names = pageNames(s, first: fileName)
        return names.indices.map { page in
            (names[page], render(s, issuer: issuer, page: page, pageNames: names))
        }
    }

    /// Calls `body` with each page of a payee's statement, as bytes, one page at a time.
    static func forEachPage(_ s: PayeeStatement, issuer: String?, fileName: String, _ body: (String, [UInt8]) throws -> Void) rethrows {
        let names = pageNames(s, first: fileName)
        for page in names.indices {
            try body(names[page], renderBytes(s, issuer: issuer, page: page, pageNames: names))
        }
    }

    /// The statement page of one payee (all of it when it fits one page).
    public static func render(_ s: PayeeStatement, issuer: String? = nil) -> String {
        render(s, issuer: issuer, page: 0, pageNames: pageNames(s, first: "statement.html"))
    }

    static func render(_ s: PayeeStatement, issuer: String?, page: Int, pageNames: [String]) -> String {
        String(decoding: renderBytes(s, issuer: issuer, page: page, pageNames: pageNames), as: UTF8.self)
    }

    /// A page of a payee's statement as UTF-8 bytes, built in one buffer (a statement's pages hold millions of
    /// rows in all).
    static func renderBytes(_ s: PayeeStatement, issuer: String?, page: Int, pageNames: [String]) -> [UInt8] {
        let c = s.currency
        let rows = min(detailRowsPerPage, max(0, s.lines.count - page * detailRowsPerPage))
        var out = HTMLBytes(capacity: 300 * rows + 16_384)
        HTML.page(title: "Statement \(s.period) — \(s.payee)", into: &out) { out in
            out.raw("<header><div class=\"kicker\">Royalty statement")
            if let issuer {
                out.raw(" · ")
                out.escaped(issuer)
            }
            out.raw("</div><h1>")
            out.escaped(s.payee)
            out.raw("</h1><div class=\"meta\">Period ")
            out.escaped(s.period.description)
            out.raw(" (\(s.period.start) to \(s.period.end)) · amounts in ")
            out.escaped(c)
            if pageNames.count > 1 { out.raw(" · page \(page + 1) of \(pageNames.count)") }
            out.raw("</div></header>")
            if page == 0 { out.raw(firstPage(s)) }
            if s.lines.isEmpty {
                out.raw("<p class=\"muted\">No sales or streams were reported for your tracks in this period.</p>")
            } else {
                detail(s, page: page, pageNames: pageNames, into: &out)
            }
            out.raw(footer())
        }
        return out.bytes
    }

    /// Balances, summary, charts by service, territory and revenue source, and the payee's tracks.
    static func firstPage(_ s: PayeeStatement) -> String {
        let c = s.currency
        let r = s.recoupment
        var body = "<div class=\"cards\">"
        body += HTML.card("Earnings", HTML.money(r.earnings, c), id: "earnings")
        body += HTML.card("Opening balance", HTML.money(r.openingBalance, c), id: "opening-balance")
        body += HTML.card("Recouped", HTML.money(r.recouped, c), id: "recouped")
        body += HTML.card("Closing balance", HTML.money(r.closingBalance, c), id: "closing-balance")
        body += HTML.card("Payable", HTML.money(r.payable, c), primary: true, id: "payable")
        body += "</div>"

        body += "<h2>Summary</h2><table><tbody>"
        func row(_ label: String, _ amount: MicroAmount, total: Bool = false) -> String {
            "<tr\(total ? " class=\"total\"" : "")><td>\(HTML.escape(label))</td>\(HTML.amountCell(amount, c))</tr>"
        }
        body += row("Gross earnings from your share of sales and streams", s.gross)
        body += row("Distribution commission", -s.commission)
        body += row("Net earnings this period", r.earnings, total: true)
        body += row("Unrecouped balance at the start of the period", r.openingBalance)
        body += row("Recouped from this period's earnings", -r.recouped)
        body += row("Unrecouped balance carried forward", r.closingBalance)
        body += row("Payable to you", r.payable, total: true)
        body += "</tbody></table>"
        if r.payable < .zero {
            body += "<p class=\"muted\">The payable amount is negative: it is deducted from future earnings.</p>"
        }
        guard !s.lines.isEmpty else { return body }

        body += "<h2>Where your earnings came from</h2><div class=\"charts\">"
        body += "<div class=\"chart\"><h3>By service</h3>\(SVGBarChart.render(title: "Net earnings by service", rows: s.byDSP, currency: c))</div>"
        body += "<div class=\"chart\"><h3>By territory</h3>\(SVGBarChart.render(title: "Net earnings by territory", rows: s.byTerritory, currency: c))</div>"
        body += "<div class=\"chart\"><h3>By revenue source (use type)</h3>\(SVGBarChart.render(title: "Net earnings by revenue source", rows: s.byUseType, currency: c))</div>"
        body += "</div>"

        let tracks = s.byTrack
        body += "<h2>By track</h2><table><thead><tr><th>Track</th><th>ISRC</th><th class=\"num\">Usages</th><th class=\"num\">Gross</th><th class=\"num\">Commission</th><th class=\"num\">Net</th></tr></thead><tbody>"
        for t in tracks.prefix(trackRowsOnFirstPage) {
            body += "<tr><td>\(HTML.escape(t.title))<div class=\"muted\">\(HTML.escape(t.displayArtist))</div></td><td><code>\(HTML.escape(t.isrc))</code></td>"
            body += "<td class=\"num\">\(HTML.count(t.usages))</td>\(HTML.amountCell(t.gross, c))\(HTML.amountCell(t.commission, c))\(HTML.amountCell(t.net, c))</tr>"
        }
        if tracks.count > trackRowsOnFirstPage {
            body += "<tr><td colspan=\"6\" class=\"muted\">\(tracks.count - trackRowsOnFirstPage) more tracks: every one is in the detail below and on the following pages.</td></tr>"
        }
        body += "<tr class=\"total\"><td colspan=\"3\">Total</td>\(HTML.amountCell(s.gross, c))\(HTML.amountCell(s.commission, c))\(HTML.amountCell(r.earnings, c))</tr>"
        body += "</tbody></table>"
        return body
    }

    /// One page of detail rows: service × territory × release and track × revenue source (use type).
    static func detail(_ s: PayeeStatement, page: Int, pageNames: [String], into out: inout HTMLBytes) {
        let decimals = CurrencyMinorUnits.decimals(for: s.currency)
        let rows = s.lines.dropFirst(page * detailRowsPerPage).prefix(detailRowsPerPage)
        out.raw("<h2 id=\"detail\">Detail</h2><p class=\"muted\">Each row: service × territory × release and track × revenue source (use type). Amounts are rounded for display; totals are computed before rounding.</p>")
        out.raw(HTML.pager(pageNames, current: page))
        out.raw("<table class=\"detail\"><thead><tr><th>Service</th><th>Territory</th><th>Release (ICPN)</th><th>Track</th><th>Revenue source</th><th class=\"num\">Usages</th><th class=\"num\">Gross</th><th class=\"num\">Commission</th><th class=\"num\">Net</th></tr></thead><tbody>")
        for l in rows {
            out.raw("<tr><td>")
            out.escaped(l.dsp)
            out.raw("</td><td>")
            out.escaped(l.territory)
            out.raw("</td><td><code>")
            out.escaped(l.releaseICPN)
            out.raw("</code></td><td>")
            out.escaped(l.title)
            out.raw("<div class=\"muted\"><code>")
            out.escaped(l.isrc)
            out.raw("</code></div></td><td>")
            out.escaped(l.useType)
            out.raw("</td><td class=\"num\">")
            out.count(l.usages)
            out.raw("</td>")
            out.amountCell(l.gross, decimals: decimals)
            out.amountCell(l.commission, decimals: decimals)
            out.amountCell(l.net, decimals: decimals)
            out.raw("</tr>")
        }
        out.raw("</tbody></table>")
        out.raw(HTML.pager(pageNames, current: page))
    }

    static func footer() -> String {
        "<footer>Amounts are kept to the millionth of a currency unit and rounded half to even for display. Generated by ddexd.</footer>"
    }

    /// An account's overview: totals, period over period, charts by DSP and territory, payees and top tracks.
    public static func render(_ o: RosterOverview) -> String {
        let c = o.currency
        var body = "<header><div class=\"kicker\">Roster overview</div><h1>\(HTML.escape(o.account))</h1>"
        body += "<div class=\"meta\">Period \(HTML.escape(o.period.description))"
        if let p = o.previousPeriod { body += ", compared with \(HTML.escape(p.description))" }
        body += " · amounts in \(HTML.escape(c))</div></header><div class=\"cards\">"
        body += HTML.card("Gross", HTML.money(o.gross, c), primary: true)
        if let pg = o.previousGross { body += HTML.card("Change", HTML.change(o.gross, from: pg)) }
        body += HTML.card("Commission", HTML.money(o.commission, c))
        body += HTML.card("Paid to payees", HTML.money(o.payees.reduce(.zero) { $0 + $1.amount }, c))
        body += HTML.card("Usages", HTML.count(o.usages))
        body += "</div>"
        body += "<h2>Gross by service and territory</h2><div class=\"charts\">"
        body += "<div class=\"chart\"><h3>By service</h3>\(SVGBarChart.render(title: "Gross by service", rows: o.dsps.map { ($0.name, $0.amount) }, currency: c))</div>"
        body += "<div class=\"chart\"><h3>By territory</h3>\(SVGBarChart.render(title: "Gross by territory", rows: o.territories.map { ($0.name, $0.amount) }, currency: c))</div>"
        body += "</div>"
        func table(_ title: String, _ rows: [RosterOverview.Row]) -> String {
            var t = "<h2>\(HTML.escape(title))</h2><table><thead><tr><th>Name</th><th class=\"num\">\(HTML.escape(o.period.description))</th>"
            if let p = o.previousPeriod { t += "<th class=\"num\">\(HTML.escape(p.description))</th><th class=\"num\">Change</th>" }
            t += "</tr></thead><tbody>"
            for r in rows {
                t += "<tr><td>\(HTML.escape(r.name))</td>\(HTML.amountCell(r.amount, c))"
                if o.previousPeriod != nil { t += HTML.amountCell(r.previous ?? .zero, c) + "<td class=\"num\">\(HTML.change(r.amount, from: r.previous))</td>" }
                t += "</tr>"
            }
            return t + "</tbody></table>"
        }
        body += table("Payees (net earnings)", o.payees)
        body += table("Services (gross)", o.dsps)
        body += table("Territories (gross)", o.territories)
        body += "<h2>Top tracks</h2><table><thead><tr><th>#</th><th>Track</th><th>ISRC</th><th class=\"num\">Usages</th><th class=\"num\">Gross</th></tr></thead><tbody>"
        for (i, t) in o.topTracks.enumerated() {
            body += "<tr><td>\(i + 1)</td><td>\(HTML.escape(t.title))<div class=\"muted\">\(HTML.escape(t.displayArtist))</div></td><td><code>\(HTML.escape(t.isrc))</code></td><td class=\"num\">\(HTML.count(t.usages))</td>\(HTML.amountCell(t.gross, c))</tr>"
        }
        body += "</tbody></table>" + footer()
        return HTML.page(title: "Overview \(o.period) — \(o.account)", body: body)
    }

    /// The unmatched lines report: per ISRC (or ICPN/resource id), what to add to the catalogue.
    public static func renderUnmatched(_ set: StatementSet) -> String {
        let c = set.currency
        var body = "<header><div class=\"kicker\">Unmatched lines</div><h1>Period \(HTML.escape(set.period.description))</h1>"
        body += "<div class=\"meta\">Lines whose track is not in the catalogue or has no split. Fix the catalogue or splits and run the statements again.</div></header>"
        body += "<div class=\"cards\">\(HTML.card("Unmatched", HTML.money(set.result.unmatched, c), primary: true))\(HTML.card("Keys", String(set.unmatched.count)))</div>"
        body += "<table><thead><tr><th>ISRC or ICPN/resource</th><th>Releases</th><th>Reason</th><th class=\"num\">Lines</th><th class=\"num\">Usages</th><th class=\"num\">Amount</th></tr></thead><tbody>"
        for e in set.unmatched {
            body += "<tr><td><code>\(HTML.escape(e.key))</code></td><td>\(e.releaseICPNs.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: " "))</td>"
            body += "<td>\(HTML.escape(e.reason == .noSplit ? "no split" : "not in catalogue"))</td><td class=\"num\">\(e.lines)</td><td class=\"num\">\(HTML.count(e.usages))</td>\(HTML.amountCell(e.amount, c))</tr>"
        }
        body += "<tr class=\"total\"><td colspan=\"5\">Total</td>\(HTML.amountCell(set.result.unmatched, c))</tr></tbody></table>" + footer()
        return HTML.page(title: "Unmatched lines \(set.period)", body: body)
    }
}
