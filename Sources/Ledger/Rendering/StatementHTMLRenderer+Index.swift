import DDEXModel

extension StatementHTMLRenderer {
    /// The index page of a statement set: its totals; revenue per service, territory and month with charts; the
    /// accounts (the distributor's set) with links to their folders; every payee with earnings and payable,
    /// linking to `fileNames[payee]`.
    ///
    /// The distributor's revenue is what the DSPs reported (converted summaries); an account's is the gross of its
    /// tracks' lines, which is all it may see.
    public static func renderIndex(_ set: StatementSet, fileNames: [String: String], rosterFiles: [String: String] = [:],
                                   unmatchedFile: String? = nil, accountFolders: [String: String] = [:]) -> String
    {
        let c = set.currency
        let r = set.result
        let kicker = set.account.map { "Statements · account " + HTML.escape($0) } ?? "Statements"
        var body = "<header><div class=\"kicker\">\(kicker)</div><h1>Period \(HTML.escape(set.period.description))</h1>"
        body += "<div class=\"meta\">\(r.reportCount) report(s), \(HTML.count(Int64(r.lineCount))) lines · amounts in \(HTML.escape(c))</div></header>"
        body += "<div class=\"cards\">"
        body += HTML.card(set.account == nil ? "Revenue" : "Gross", HTML.money(r.total, c), id: "total")
        body += HTML.card("Commission", HTML.money(r.commission, c), id: "commission")
        if set.account == nil {
            body += HTML.card("Unmatched", HTML.money(r.unmatched, c), id: "unmatched")
            body += HTML.card("Unallocated", HTML.money(r.unallocated, c), id: "unallocated")
        }
        body += HTML.card("Payable", HTML.money(set.statements.reduce(.zero) { $0 + $1.recoupment.payable }, c), primary: true, id: "payable")
        body += "</div>"
        var links = rosterFiles.sorted { $0.key < $1.key }.map { "<a href=\"\(HTML.escape($0.value))\">Overview of \(HTML.escape($0.key))</a>" }
        if let unmatchedFile { links.append("<a href=\"\(HTML.escape(unmatchedFile))\">Unmatched lines</a>") }
        if !links.isEmpty { body += "<p>" + links.joined(separator: " · ") + "</p>" }
        if !set.problems.isEmpty {
            body += "<h2>Warnings</h2><ul>" + set.problems.map { "<li><code>\(HTML.escape($0.code.rawValue))</code> \(HTML.escape($0.location)): \(HTML.escape($0.message))</li>" }.joined() + "</ul>"
        }
        let revenue = revenueRows(set)
        body += HTML.breakdown("By service", revenue.dsps, c, id: "by-service")
        body += HTML.breakdown("By territory", revenue.territories, c, id: "by-territory")
        body += HTML.breakdown("By month", revenue.months, c, id: "by-month")
        if set.account == nil, !r.accountFigures.isEmpty {
            body += accountsTable(set, folders: accountFolders)
        }
        body += "<h2>Payees</h2><table id=\"payees\"><thead><tr><th>Payee</th><th class=\"num\">Earnings</th><th class=\"num\">Recouped</th><th class=\"num\">Closing balance</th><th class=\"num\">Payable</th></tr></thead><tbody>"
        for s in set.statements {
            let name = fileNames[s.payee].map { "<a href=\"\(HTML.escape($0))\">\(HTML.escape(s.payee))</a>" } ?? HTML.escape(s.payee)
            body += "<tr data-payee=\"\(HTML.escape(s.payee))\"><td>\(name)</td>\(HTML.amountCell(s.earnings, c))\(HTML.amountCell(s.recoupment.recouped, c))\(HTML.amountCell(s.recoupment.closingBalance, c))\(HTML.amountCell(s.recoupment.payable, c))</tr>"
        }
        body += "</tbody></table>" + footer()
        return HTML.page(title: "Statements \(set.period)\(set.account.map { " — " + $0 } ?? "")", body: body)
    }

    /// Each account's lines, gross, commission and payees' earnings, linking to its own statements.
    static func accountsTable(_ set: StatementSet, folders: [String: String]) -> String {
        let c = set.currency
        var earnings: [String: MicroAmount] = [:]
        for s in set.statements { if let a = set.payeeAccounts[s.payee] { earnings[a, default: .zero] += s.earnings } }
        var body = "<h2>Accounts</h2><table id=\"accounts\"><thead><tr><th>Account</th><th class=\"num\">Lines</th><th class=\"num\">Gross</th><th class=\"num\">Commission</th><th class=\"num\">Payees' earnings</th></tr></thead><tbody>"
        for a in set.result.accountFigures {
            let name = folders[a.account].map { "<a href=\"\(HTML.escape($0))\">\(HTML.escape(a.account))</a>" } ?? HTML.escape(a.account)
            body += "<tr data-account=\"\(HTML.escape(a.account))\"><td>\(name)</td><td class=\"num\">\(HTML.count(Int64(a.lines)))</td>\(HTML.amountCell(a.total, c))\(HTML.amountCell(a.commission, c))\(HTML.amountCell(earnings[a.account] ?? .zero, c))</tr>"
        }
        return body + "</tbody></table>"
    }

    /// Revenue per service, territory and month, largest first (months in calendar order).
    static func revenueRows(_ set: StatementSet) -> (dsps: [(name: String, amount: MicroAmount)],
                                                     territories: [(name: String, amount: MicroAmount)],
                                                     months: [(name: String, amount: MicroAmount)]) {
        var dsps: [String: MicroAmount] = [:], territories: [String: MicroAmount] = [:], months: [String: MicroAmount] = [:]
        if set.account == nil {
            for s in set.result.summaries {
                guard let amount = s.converted else { continue }
                dsps[s.dsp, default: .zero] += amount
                territories[s.territory, default: .zero] += amount
                months[s.month, default: .zero] += amount
            }
        } else {
            for a in set.result.accounts {
                dsps.merge(a.byDSP, uniquingKeysWith: +)
                territories.merge(a.byTerritory, uniquingKeysWith: +)
                months.merge(a.byMonth, uniquingKeysWith: +)
            }
        }
        func largestFirst(_ totals: [String: MicroAmount]) -> [(name: String, amount: MicroAmount)] {
            totals.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
        }
        return (largestFirst(dsps), largestFirst(territories), months.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }
}
