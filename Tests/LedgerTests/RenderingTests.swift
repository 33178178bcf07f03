import DDEXModel
import Foundation
@testable import Ledger
import TestSupport
import XCTest

final class RenderingTests: XCTestCase {
    /// A small statement set with hostile text: quotes, `<`, `&`, non-ASCII, a formula-like title.
    static func sampleSet() throws -> StatementSet {
        let period = try StatementPeriod(parsing: "2026-10")
        let reference = try ReportReference(id: "r1", dsp: "spotify", service: "SpotifyPremium",
                                            usageStart: XCTUnwrap(CivilDate(parsing: "2026-10-01")), usageEnd: XCTUnwrap(CivilDate(parsing: "2026-10-31")))
        let store = InMemoryLedgerStore()
        let icpn = try ICPN(validating: "1005192837464")
        try store.importCatalogue([
            CatalogueEntry(icpn: icpn, isrc: ISRC(validating: "GBAAA2600001"), title: "<script>alert(\"x\")</script> & Co", displayArtist: "Zoë \"Z\" O'Brien", account: "Label <One>"),
            CatalogueEntry(icpn: icpn, isrc: ISRC(validating: "GBAAA2600002"), title: "=SUM(A1), Mañana", displayArtist: "Björk, Trio", account: "Label <One>"),
        ])
        try store.importSplits([
            Split(isrc: ISRC(validating: "GBAAA2600001"), shares: [PayeeShare(payee: "Zoë \"Z\" O'Brien <zoe>", basisPoints: 7000), PayeeShare(payee: "Label & Sons", basisPoints: 3000)]),
            Split(isrc: ISRC(validating: "GBAAA2600002"), shares: [PayeeShare(payee: "Zoë \"Z\" O'Brien <zoe>", basisPoints: 10000)]),
        ])
        try store.importAdvances([Advance(payee: "Label & Sons", currency: "EUR", amount: MicroAmount(micro: 1_000_000))])
        let input = MemoryInput(summaries: [
            (SummaryInput(report: reference, summaryId: "S1", commercialModel: "SubscriptionModel", territory: "GB", currency: "EUR",
                          netRevenue: MicroAmount(micro: 12_345_678), totalUsages: 30),
             [UsageLine(isrc: "GBAAA2600001", releaseICPN: icpn.value, dspResourceId: "A", usages: 10, useType: "OnDemandStream"),
              UsageLine(isrc: "GBAAA2600002", releaseICPN: icpn.value, dspResourceId: "B", usages: 15, useType: "OnDemandStream"),
              UsageLine(isrc: "QZZZZ2600009", releaseICPN: icpn.value, dspResourceId: "C", usages: 5, useType: "OnDemandStream")]),
            (SummaryInput(report: reference, summaryId: "S2", commercialModel: "AdvertisementSupportedModel", territory: "JP", currency: "EUR",
                          netRevenue: MicroAmount(micro: -2_000_000), totalUsages: 4),
             [UsageLine(isrc: "GBAAA2600001", releaseICPN: icpn.value, dspResourceId: "A", usages: 4, useType: "ProgrammedContentStream")]),
        ])
        let engine = try LedgerEngine(settings: LedgerSettings(accountingCurrency: "EUR", commission: CommissionPolicy(defaultBasisPoints: 1500)),
                                      reference: store.referenceData())
        return try engine.statements(period: period, input: input, store: store)
    }

    func testHTMLEscapesTextHasChartsAndNoExternalAssets() throws {
        let set = try Self.sampleSet()
        let dir = try TemporaryDirectory(prefix: "ledger-html")
        let files = try StatementWriter.write(set, format: .html, to: dir.path, issuer: "Example Music Ltd.")
        XCTAssertTrue(files.contains("index.html"))
        XCTAssertTrue(files.contains("unmatched.html"))
        XCTAssertTrue(files.contains { $0.hasPrefix("overview-") })
        for name in files {
            let html = try String(contentsOfFile: dir.path + "/" + name, encoding: .utf8)
            XCTAssertFalse(html.contains("<script"), name)
            XCTAssertFalse(html.contains("<zoe>"), name)
            XCTAssertFalse(html.contains("Label <One>"), name)
            for external in ["http:", "https:", "src=", "url(", "@import", "//"] where external != "//" || html.contains("=\"//") {
                XCTAssertFalse(html.contains(external), "\(name) refers to \(external)")
            }
        }
        let payee = try XCTUnwrap(files.first { $0.contains("zo") })
        let html = try String(contentsOfFile: dir.path + "/" + payee, encoding: .utf8)
        XCTAssertTrue(html.contains("Zoë &quot;Z&quot; O&#39;Brien &lt;zoe&gt;"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"))
        XCTAssertTrue(html.contains("<svg"), "a chart by DSP, by territory and by revenue source")
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 3)
        let index = try String(contentsOfFile: dir.path + "/index.html", encoding: .utf8)
        for section in ["by-service", "by-territory", "by-month"] {
            XCTAssertTrue(index.contains("<section id=\"\(section)\">"), "the index shows revenue \(section)")
        }
        XCTAssertTrue(html.contains("−"), "the negative JP summary shows as a negative amount")
        if let preview = ProcessInfo.processInfo.environment["LEDGER_HTML_PREVIEW"] {
            try StatementWriter.write(set, format: .html, to: preview, issuer: "Example Music Ltd.")
        }
    }

    /// A statement longer than a page is split: every detail row on exactly one page, each page linking the others.
    func testLongStatementsArePaged() throws {
        let set = try Self.sampleSet()
        var statement = try XCTUnwrap(set.statements.first { !$0.lines.isEmpty })
        let line = statement.lines[0]
        let rows = StatementHTMLRenderer.detailRowsPerPage * 2 + 7
        statement.lines = (0..<rows).map { n in var copy = line; copy.isrc = "QZZZZ\(String(format: "%07d", n))"; return copy }
        let pages = StatementHTMLRenderer.renderPages(statement, fileName: "payee-0001-x.html")
        XCTAssertEqual(pages.map(\.name), ["payee-0001-x.html", "payee-0001-x-2.html", "payee-0001-x-3.html"])
        let shown = pages.map { page in page.html.components(separatedBy: "<code>QZZZZ").count - 1 }
        XCTAssertEqual(shown.reduce(0, +), rows + StatementHTMLRenderer.trackRowsOnFirstPage, "each row once, plus the first page's tracks")
        XCTAssertTrue(pages[0].html.contains("id=\"payable\""))
        XCTAssertFalse(pages[1].html.contains("id=\"payable\""), "balances only on the first page")
        XCTAssertTrue(pages[2].html.contains("href=\"payee-0001-x.html\"") && pages[2].html.contains("href=\"payee-0001-x-2.html\""))
    }

    func testCSVQuotesRoundsForDisplayAndReadsBack() throws {
        let set = try Self.sampleSet()
        let dir = try TemporaryDirectory(prefix: "ledger-csv")
        try StatementWriter.write(set, format: .csv, to: dir.path)
        var rows: [[String]] = []
        try CSVReader(path: dir.path + "/statement-lines.csv").forEachRecord { fields, _ in rows.append(fields) }
        XCTAssertEqual(rows.first?.count, 12)
        XCTAssertTrue(rows.contains { $0[5] == "'=SUM(A1), Mañana" }, "formula-like text is defused, commas quoted")
        XCTAssertTrue(rows.allSatisfy { $0.count == 12 })
        var summary: [[String]] = []
        try CSVReader(path: dir.path + "/statements.csv").forEachRecord { fields, _ in summary.append(fields) }
        // Amounts have exactly 2 decimals for EUR.
        for row in summary.dropFirst() {
            for cell in row[3...] { XCTAssertTrue(cell.range(of: #"^-?\d+\.\d{2}$"#, options: .regularExpression) != nil, cell) }
        }
        XCTAssertEqual(StatementCSVRenderer.amount(MicroAmount(micro: 12_345_000), "EUR"), "12.34", "half-even: 12.345 → 12.34")
        XCTAssertEqual(StatementCSVRenderer.amount(MicroAmount(micro: 12_355_000), "EUR"), "12.36")
        XCTAssertEqual(StatementCSVRenderer.amount(MicroAmount(micro: 2_500_000), "JPY"), "2")
        XCTAssertEqual(StatementCSVRenderer.amount(MicroAmount(micro: 1_234_567), "KWD"), "1.235")
        XCTAssertEqual(HTML.money(MicroAmount(micro: -1_234_567_890_000), "EUR"), "−1,234,567.89")
    }

    func testJSONHasIntegersAndTheOracleShape() throws {
        let set = try Self.sampleSet()
        let data = try SummaryJSONRenderer.render(set)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["accounting_currency", "lines", "summaries", "total_micro", "commission_micro", "unmatched_micro",
                    "unmatched_by_isrc", "unallocated_micro", "payees", "invariant_holds"] {
            XCTAssertNotNil(object[key], key)
        }
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertFalse(text.contains(".0,"), "amounts are integers")
        XCTAssertEqual(object["total_micro"] as? Int, 10_345_678)
        XCTAssertEqual((object["unmatched_by_isrc"] as? [String: Int])?["QZZZZ2600009"], 2_057_613)
    }

    func testSVGChartDrawsNegativeBarsLeftOfZero() {
        let svg = SVGBarChart.render(title: "t <x>", rows: [("A & B", MicroAmount(micro: 3_000_000)), ("C", MicroAmount(micro: -1_000_000))], currency: "EUR")
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.contains("t &lt;x&gt;"))
        XCTAssertTrue(svg.contains("A &amp; B"))
        XCTAssertTrue(svg.contains("<line"), "a zero line when a bar is negative")
        XCTAssertTrue(svg.contains("#d1495b"), "negative bars are red")
    }
}

/// A `LedgerInput` over summaries and lines held in memory, for unit tests.
struct MemoryInput: LedgerInput {
    var summaries: [(SummaryInput, [UsageLine])]

    struct Lines: LineSequence {
        var lines: [UsageLine]
        func forEachLine(_ body: (UsageLine) throws -> Void) throws { for l in lines { try body(l) } }
    }

    func forEachSummary(in period: StatementPeriod, _ body: (SummaryInput, Lines) throws -> Void) throws {
        for (s, lines) in summaries where period.contains(start: s.report.usageStart, end: s.report.usageEnd) {
            try body(s, Lines(lines: lines))
        }
    }
}
