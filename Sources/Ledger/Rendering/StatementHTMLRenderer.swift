import DDEXModel

/// HTML pages a label can send: one statement per payee, an index, account overviews and the unmatched report.
public enum StatementHTMLRenderer {
    /// The statement page of one payee.
    public static func render(_ s: PayeeStatement, issuer: String? = nil) -> String {
        let c = s.currency
        let r = s.recoupment
        var body = "<header><div class=\"kicker\">Royalty statement\(issuer.map { " · " + HTML.escape($0) } ?? "")</div>"
        body += "<h1>\(HTML.escape(s.payee))</h1>"
        body += "<div class=\"meta\">Period \(HTML.escape(s.period.description)) (\(s.period.start) to \(s.period.end)) · amounts in \(HTML.escape(c))</div></header>"

        body += "<div class=\"cards\">"
        body += HTML.card("Earnings", HTML.money(r.earnings, c))
        body += HTML.card("Opening balance", HTML.money(r.openingBalance, c))
        body += HTML.card("Recouped", HTML.money(r.recouped, c))
        body += HTML.card("Closing balance", HTML.money(r.closingBalance, c))
        body += HTML.card("Payable", HTML.money(r.payable, c), primary: true)
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

        guard !s.lines.isEmpty else {
            body += "<p class=\"muted\">No sales or streams were reported for your tracks in this period.</p>"
            body += footer()
            return HTML.page(title: "Statement \(s.period) — \(s.payee)", body: body)
        }

        body += "<h2>Where your earnings came from</h2><div class=\"charts\">"
        body += "<div class=\"chart\"><h3>By service</h3>\(SVGBarChart.render(title: "Net earnings by service", rows: s.byDSP, currency: c))</div>"
        body += "<div class=\"chart\"><h3>By territory</h3>\(SVGBarChart.render(title: "Net earnings by territory", rows: s.byTerritory, currency: c))</div>"
        body += "</div>"

        body += "<h2>By track</h2><table><thead><tr><th>Track</th><th>ISRC</th><th class=\"num\">Usages</th><th class=\"num\">Gross</th><th class=\"num\">Commission</th><th class=\"num\">Net</th></tr></thead><tbody>"
        for t in s.byTrack {
            body += "<tr><td>\(HTML.escape(t.title))<div class=\"muted\">\(HTML.escape(t.displayArtist))</div></td><td><code>\(HTML.escape(t.isrc))</code></td>"
            body += "<td class=\"num\">\(HTML.count(t.usages))</td>\(HTML.amountCell(t.gross, c))\(HTML.amountCell(t.commission, c))\(HTML.amountCell(t.net, c))</tr>"
        }
        body += "<tr class=\"total\"><td colspan=\"3\">Total</td>\(HTML.amountCell(s.gross, c))\(HTML.amountCell(s.commission, c))\(HTML.amountCell(r.earnings, c))</tr>"
        body += "</tbody></table>"

        body += "<h2>By use type</h2><table><thead><tr><th>Use type</th><th class=\"num\">Net</th></tr></thead><tbody>"
        for u in s.byUseType { body += "<tr><td>\(HTML.escape(u.name))</td>\(HTML.amountCell(u.amount, c))</tr>" }
        body += "</tbody></table>"

        body += "<h2>Detail</h2><p class=\"muted\">Each row: service × territory × release and track × use type. Amounts are rounded for display; totals are computed before rounding.</p>"
        body += "<table class=\"detail\"><thead><tr><th>Service</th><th>Territory</th><th>Release (ICPN)</th><th>Track</th><th>Use type</th><th class=\"num\">Usages</th><th class=\"num\">Gross</th><th class=\"num\">Commission</th><th class=\"num\">Net</th></tr></thead><tbody>"
        for l in s.lines {
            body += "<tr><td>\(HTML.escape(l.dsp))</td><td>\(HTML.escape(l.territory))</td><td><code>\(HTML.escape(l.releaseICPN))</code></td>"
            body += "<td>\(HTML.escape(l.title))<div class=\"muted\"><code>\(HTML.escape(l.isrc))</code></div></td><td>\(HTML.escape(l.useType))</td>"
            body += "<td class=\"num\">\(HTML.count(l.usages))</td>\(HTML.amountCell(l.gross, c))\(HTML.amountCell(l.commission, c))\(HTML.amountCell(l.net, c))</tr>"
        }
        body += "</tbody></table>"
        body += footer()
        return HTML.page(title: "Statement \(s.period) — \(s.payee)", body: body)
    }

    static func footer() -> String {
        "<footer>Amounts are kept to the millionth of a currency unit and rounded half to even for display. Generated by ddexd.</footer>"
    }

    /// The index page: every payee with earnings and payable, linking to `fileNames[payee]`.
    public static func renderIndex(_ set: StatementSet, fileNames: [String: String], rosterFiles: [String: String] = [:],
                                   unmatchedFile: String? = nil) -> String
    {
        let c = set.currency
        let r = set.result
        var body = "<header><div class=\"kicker\">Statements</div><h1>Period \(HTML.escape(set.period.description))</h1>"
        body += "<div class=\"meta\">\(r.reportCount) report(s), \(r.summaryCount) summaries, \(HTML.count(Int64(r.lineCount))) lines · amounts in \(HTML.escape(c))</div></header>"
        body += "<div class=\"cards\">"
        body += HTML.card("Revenue", HTML.money(r.total, c))
        body += HTML.card("Commission", HTML.money(r.commission, c))
        body += HTML.card("Unmatched", HTML.money(r.unmatched, c))
        body += HTML.card("Unallocated", HTML.money(r.unallocated, c))
        body += HTML.card("Payable", HTML.money(set.statements.reduce(.zero) { $0 + $1.recoupment.payable }, c), primary: true)
        body += "</div>"
        if !rosterFiles.isEmpty || unmatchedFile != nil {
            body += "<p>"
            body += rosterFiles.sorted { $0.key < $1.key }.map { "<a href=\"\(HTML.escape($0.value))\">Overview of \(HTML.escape($0.key))</a>" }.joined(separator: " · ")
            if let unmatchedFile { body += (rosterFiles.isEmpty ? "" : " · ") + "<a href=\"\(HTML.escape(unmatchedFile))\">Unmatched lines</a>" }
            body += "</p>"
        }
        if !set.problems.isEmpty {
            body += "<h2>Warnings</h2><ul>" + set.problems.map { "<li><code>\(HTML.escape($0.code.rawValue))</code> \(HTML.escape($0.location)): \(HTML.escape($0.message))</li>" }.joined() + "</ul>"
        }
        body += "<h2>Payees</h2><table><thead><tr><th>Payee</th><th class=\"num\">Earnings</th><th class=\"num\">Recouped</th><th class=\"num\">Closing balance</th><th class=\"num\">Payable</th></tr></thead><tbody>"
        for s in set.statements {
            let name = fileNames[s.payee].map { "<a href=\"\(HTML.escape($0))\">\(HTML.escape(s.payee))</a>" } ?? HTML.escape(s.payee)
            body += "<tr><td>\(name)</td>\(HTML.amountCell(s.earnings, c))\(HTML.amountCell(s.recoupment.recouped, c))\(HTML.amountCell(s.recoupment.closingBalance, c))\(HTML.amountCell(s.recoupment.payable, c))</tr>"
        }
        body += "</tbody></table>" + footer()
        return HTML.page(title: "Statements \(set.period)", body: body)
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
