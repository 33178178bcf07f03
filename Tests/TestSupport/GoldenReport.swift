import Foundation

/// A DSR report made once by the reference generator, `dsrgen.py`, and committed under
/// `Fixtures/dsrgen/<name>/`: the report files, the accounting inputs that go with them (catalog, splits,
/// advances, rates, accounts) and `expected.json`, the exact accounting result.
///
/// `scripts/make-golden-fixtures` writes them; `Fixtures/README.md` gives each one's options and seed.
/// Tests compare their results with `expected.json` through `OracleCheck`, as `dsrgen.py --verify` does.
public struct GoldenReport: Sendable, CustomStringConvertible {
    public let name: String
    public let folder: URL

    public init(_ name: String) {
        self.name = name
        folder = RepositoryPaths.fixtures.appendingPathComponent("dsrgen/\(name)")
    }

    private init(name: String, folder: URL) {
        self.name = name
        self.folder = folder
    }

    // MARK: the committed cases

    /// 2,000 lines, seed 1, one plain file.
    public static let seed1 = GoldenReport("seed1")
    /// Seed 1 at 600 lines in every layout dsrgen writes (the same lines each time).
    public static let layouts = ["layout-plain", "layout-files3-gzip", "layout-crlf", "layout-pad", "layout-no-headings"].map(GoldenReport.init)
    /// Two gzip files, CRLF, padded, no headings, negative and zero-usage summaries (seed 1, 600 lines).
    public static let layoutMixed = GoldenReport("layout-mixed")
    /// 2,000 lines, seed 9, two gzip files, a negative summary.
    public static let seed9TwoGzipFilesNegative = GoldenReport("seed9-files2-gzip-negative")
    /// 3,000 lines, seed 7, three gzip files.
    public static let seed7ThreeGzipFiles = GoldenReport("seed7-files3-gzip")
    /// 1,500 lines, seed 2, three plain files.
    public static let seed2ThreeFiles = GoldenReport("seed2-files3")
    /// 2,000 lines, seed 42, two files, CRLF, padded.
    public static let seed42TwoFilesCRLFPadded = GoldenReport("seed42-files2-crlf-pad")
    /// 3,000 lines, seed 3, two gzip files, negative and zero-usage summaries.
    public static let seed3SpecialSummaries = GoldenReport("seed3-special-summaries")
    /// 1,000 lines, seed 5, one summary's TotalUsages larger than its lines' sum.
    public static let seed5UsageMismatch = GoldenReport("seed5-usage-mismatch")
    /// 1,000 lines, seed 11, accounting in USD, reporting in GBP, 27.5 % commission, no headings.
    public static let seed11USD = GoldenReport("seed11-usd-gbp")
    /// 3,000 lines, seed 6.
    public static let seed6 = GoldenReport("seed6")
    /// 1,000 lines, seed 12.
    public static let seed12 = GoldenReport("seed12")
    /// 1,500 lines, seed 4, two client accounts, two gzip files.
    public static let seed4TwoAccounts = GoldenReport("seed4-accounts2")
    /// 2,000 lines, seed 8, three client accounts, negative and zero-usage summaries (a negative earner in one account).
    public static let seed8ThreeAccountsSpecial = GoldenReport("seed8-accounts3-special")

    // MARK: files

    public var expected: URL { folder.appendingPathComponent("expected.json") }

    /// The DSR files of the report, in file order.
    public var reportFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("DSR_") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// One of the accounting inputs: `catalog`, `splits`, `advances`, `rates` or `accounts` (`.csv`).
    public func csv(_ kind: String) -> URL { folder.appendingPathComponent(kind + ".csv") }

    /// The dsrgen options it was made with.
    public var options: String {
        ((try? String(contentsOf: folder.appendingPathComponent("dsrgen-options.txt"), encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `expected.json`, decoded.
    public func expectedJSON() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: expected))
        guard let dictionary = object as? [String: Any] else { throw GoldenReportError("\(expected.path) is not a JSON object") }
        return dictionary
    }

    /// The number of usage lines the report holds (`lines` in `expected.json`).
    public func usageLineCount() throws -> Int {
        guard let lines = try expectedJSON()["lines"] as? Int else { throw GoldenReportError("\(expected.path) has no lines count") }
        return lines
    }

    /// A writable copy in `directory/<name>`, for tests that change or move the files.
    public func copy(into directory: URL) throws -> GoldenReport {
        let target = directory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: folder, to: target)
        return GoldenReport(name: name, folder: target)
    }

    public var description: String { "\(name) (\(options))" }
}

/// A golden fixture that is missing or malformed.
public struct GoldenReportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
