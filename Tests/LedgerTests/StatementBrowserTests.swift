import Foundation
import TestSupport
import XCTest

/// The HTML statements opened in a real browser (headless Chromium): the figures a reader is shown on the index,
/// an account's index and a payee's page are the figures of the JSON statements of the same run.
final class StatementBrowserTests: XCTestCase {
    func testPagesShowTheFiguresOfTheJSON() throws {
        _ = try HeadlessBrowser.executable()
        let dir = try TemporaryDirectory(prefix: "ledger-browser")
        let report = GoldenReport.seed4TwoAccounts
        let config = RepositoryPaths.config.appendingPathComponent("ddexd.toml").path
        let common = ["--config", config, "--spool", dir.path + "/spool"]
        func ddexd(_ arguments: [String]) throws {
            let result = try CommandRunner.run(CommandRunner.ddexd, arguments + common)
            XCTAssertEqual(result.status, 0, "ddexd \(arguments.joined(separator: " ")):\n\(result.stdout)\(result.stderr)")
        }
        try ddexd(["ingest-dsr", "--quiet"] + report.reportFiles.map(\.path))
        for kind in ["accounts", "catalog", "splits", "advances", "rates"] { try ddexd(["import", kind, report.csv(kind).path]) }
        let json = dir.path + "/json", html = dir.path + "/html"
        try ddexd(["statements", "--period", "2020-06", "--format", "json", "--out", json])
        try ddexd(["statements", "--period", "2020-06", "--format", "html", "--out", html])
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json + "/statements.json"))) as? [String: Any]
        let figures = try XCTUnwrap(document)
        let payees = try XCTUnwrap(figures["payees"] as? [String: [String: Int64]])

        // The distributor's index: the totals and every payee's row.
        let index = try HeadlessBrowser.dumpDOM(URL(fileURLWithPath: html + "/index.html")).dom
        for (id, key) in [("total", "total_micro"), ("commission", "commission_micro"), ("unmatched", "unmatched_micro"),
                          ("unallocated", "unallocated_micro")] {
            XCTAssertEqual(try Self.card(id, in: index), Self.cents(try XCTUnwrap(figures[key] as? Int64)), id)
        }
        let rows = try Self.payeeRows(index)
        XCTAssertEqual(Set(rows.keys), Set(payees.keys))
        for (payee, shown) in rows {
            let expected = try XCTUnwrap(payees[payee])
            XCTAssertEqual(shown, ["earnings_micro", "recouped_micro", "closing_balance_micro", "payable_micro"].map { Self.cents(expected[$0] ?? 0) }, payee)
        }
        for section in ["by-service", "by-territory", "by-month", "accounts"] {
            XCTAssertTrue(index.contains("id=\"\(section)\""), "the index shows \(section)")
        }

        // An account's index: its own totals and payees only.
        let accounts = try XCTUnwrap(figures["accounts"] as? [String: [String: Any]])
        let second = try XCTUnwrap(accounts["account-2"])
        let accountIndex = try HeadlessBrowser.dumpDOM(URL(fileURLWithPath: html + "/account-2/index.html")).dom
        XCTAssertEqual(try Self.card("total", in: accountIndex), Self.cents(try XCTUnwrap(second["total_micro"] as? Int64)))
        XCTAssertEqual(try Self.card("commission", in: accountIndex), Self.cents(try XCTUnwrap(second["commission_micro"] as? Int64)))
        XCTAssertEqual(Set(try Self.payeeRows(accountIndex).keys), Set(try XCTUnwrap(second["payees"] as? [String: Any]).keys))

        // A payee's page: the five figures of its record, for the payee with the most detail.
        let pages = try FileManager.default.contentsOfDirectory(atPath: html).filter { $0.hasPrefix("payee-") }
        let sizes = try pages.map { ($0, try Self.size(html + "/" + $0)) }
        let largest = try XCTUnwrap(sizes.max { $0.1 < $1.1 }?.0)
        let (page, seconds) = try HeadlessBrowser.dumpDOM(URL(fileURLWithPath: html + "/" + largest))
        let payee = try XCTUnwrap(Self.text(between: "<h1>", "</h1>", in: page))
        let record = try XCTUnwrap(payees[Self.unescape(payee)], payee)
        for (id, key) in [("earnings", "earnings_micro"), ("opening-balance", "opening_balance_micro"), ("recouped", "recouped_micro"),
                          ("closing-balance", "closing_balance_micro"), ("payable", "payable_micro")] {
            XCTAssertEqual(try Self.card(id, in: page), Self.cents(record[key] ?? 0), "\(payee) \(id)")
        }
        XCTAssertLessThan(seconds, 30, "the browser loaded the page")

        // Every page is small enough to open at once, however many lines the period had (detail is paged).
        let names = FileManager.default.enumerator(atPath: html)?.compactMap { $0 as? String } ?? []
        XCTAssertGreaterThan(names.filter { $0.hasSuffix(".html") }.count, 10)
        for name in names where name.hasSuffix(".html") {
            XCTAssertLessThan(try Self.size(html + "/" + name), 1_500_000, name)
        }
    }

    // MARK: Reading the DOM

    /// Micro-units as the page shows them: half-even to cents.
    static func cents(_ micro: Int64) -> Int64 {
        let (q, r) = micro.quotientAndRemainder(dividingBy: 10_000)
        if r.magnitude > 5_000 || (r.magnitude == 5_000 && q % 2 != 0) { return q + (micro < 0 ? -1 : 1) }
        return q
    }

    /// A shown amount (`−1,234.56`) in cents.
    static func parse(_ text: String) throws -> Int64 {
        let negative = text.hasPrefix("−") || text.hasPrefix("-")
        let digits = text.filter(\.isNumber)
        guard text.contains("."), let value = Int64(digits) else { throw Unreadable(text: text) }
        return negative ? -value : value
    }

    struct Unreadable: Error { var text: String }

    static func card(_ id: String, in dom: String) throws -> Int64 {
        guard let start = dom.range(of: "id=\"\(id)\""),
              let value = text(between: "<div class=\"value\">", "</div>", in: String(dom[start.upperBound...])) else {
            throw Unreadable(text: "no card \(id)")
        }
        return try parse(value)
    }

    /// Payee → the four amounts of its row (earnings, recouped, closing balance, payable), in cents.
    static func payeeRows(_ dom: String) throws -> [String: [Int64]] {
        var rows: [String: [Int64]] = [:]
        for part in dom.components(separatedBy: "<tr data-payee=\"").dropFirst() {
            guard let quote = part.firstIndex(of: "\""), let end = part.range(of: "</tr>") else { continue }
            let cells = part[..<end.lowerBound].components(separatedBy: "<td class=\"num").dropFirst().compactMap {
                text(between: ">", "</td>", in: $0)
            }
            rows[unescape(String(part[..<quote]))] = try cells.map(parse)
        }
        return rows
    }

    static func text(between open: String, _ close: String, in text: String) -> String? {
        guard let a = text.range(of: open), let b = text.range(of: close, range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }
}
