import DDEXModel
import Foundation
import Ledger

/// Not the product's DSR loader: a minimal reader of dsrgen's Basic Audio Profile flat files (HEAD, SY01.02,
/// RE01.02, AS02.03, SU02.02, FOOT) that serves them as a `LedgerInput`, so the engine is checked against
/// dsrgen's oracle without the store's parser and SQLite loader in the way.
///
/// It loads lines into compact columns (about 21 bytes per line: summary, resource, use type, usages, and a
/// permutation that groups lines by summary in report order), standing in for the database. It checks little:
/// no FOOT reconciliation, no supersession, no validation beyond what the ledger needs.
final class DSRFlatFileInput: LedgerInput {
    struct Report {
        var reference: ReportReference
        var summaries: [SummaryInput]
        /// Index of the report's first summary in the global summary arrays.
        var firstSummary: Int
    }

    struct Resource: Hashable {
        var isrc: String?
        var icpn: String?
        var dspResourceId: String?
    }

    private var reports: [Report] = []
    private var resources: [Resource] = []
    private var useTypes: [String] = []
    // Columns, one entry per line in report order.
    private var lineSummary: [Int32] = []
    private var lineResource: [Int32] = []
    private var lineUseType: [UInt8] = []
    private var lineUsages: [Int64] = []
    // Lines grouped by summary: summaryStart[s]..<summaryStart[s+1] in `order`.
    private var order: [Int32] = []
    private var summaryStart: [Int] = []

    /// Number of SU lines loaded.
    var lineCount: Int { lineUsages.count }

    /// Loads every `DSR_*.tsv` / `.tsv.gz` file in `folder`; files of one report (the same name but for `XofY`)
    /// are read in file-number order. `dsp` names the DSP profile the reports came from.
    convenience init(folder: String, dsp: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix("DSR_") && ($0.hasSuffix(".tsv") || $0.hasSuffix(".tsv.gz")) }
        try self.init(files: names.map { folder + "/" + $0 }, dsp: dsp)
    }

    init(files: [String], dsp: String) throws {
        // Group by report: the file name without the `_XofY_` part.
        var groups: [String: [(Int, String)]] = [:]
        for path in files {
            let name = (path as NSString).lastPathComponent
            var parts = name.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            var fileNumber = 1
            if let i = parts.firstIndex(where: { $0.contains("of") && $0.split(separator: "o").first.map { Int($0) != nil } == true }) {
                fileNumber = Int(parts[i].split(separator: "o")[0]) ?? 1
                parts[i] = "*"
            }
            groups[parts.joined(separator: "_"), default: []].append((fileNumber, path))
        }
        var useTypeIds: [String: UInt8] = [:]
        var resourceIds: [Resource: Int32] = [:]
        var summaryCount = 0
        for key in groups.keys.sorted() {
            let paths = groups[key]!.sorted { $0.0 < $1.0 }.map(\.1)
            var report: Report?
            var summaryIndex: [String: Int32] = [:]
            for path in paths {
                var cells: [Range<Int>] = []
                var blockResources: [String: Int32] = [:]
                var blockICPN: String?
                var seenHead = false
                try DelimitedLineReader.forEachLine(path: path) { line, number in
                    guard line.count > 0, line[0] != UInt8(ascii: "#") else { return }
                    DelimitedLineReader.cells(line, into: &cells)
                    func text(_ i: Int) -> String? {
                        guard i < cells.count, !cells[i].isEmpty else { return nil }
                        return String(decoding: UnsafeBufferPointer(rebasing: line[cells[i]]), as: UTF8.self)
                    }
                    func fail(_ why: String) -> LedgerError {
                        LedgerError(.ledgerInputInconsistent, at: "\(path):\(number)", why)
                    }
                    let type = text(0) ?? ""
                    switch type {
                    case "HEAD":
                        seenHead = true
                        guard report == nil else { return }
                        guard let s = text(8).flatMap({ CivilDate(parsing: $0) }), let e = text(9).flatMap({ CivilDate(parsing: $0) }) else {
                            throw fail("HEAD has no usage start and end dates")
                        }
                        let id = [text(10) ?? "", text(12) ?? "", s.description, e.description, text(4) ?? ""].joined(separator: "/")
                        report = Report(reference: ReportReference(id: id, dsp: dsp, service: text(12) ?? "", usageStart: s, usageEnd: e),
                                        summaries: [], firstSummary: summaryCount)
                    case "SY01.02":
                        guard seenHead, var r = report else { throw fail("SY before HEAD") }
                        guard let id = text(1) else { throw fail("SY without SummaryRecordId") }
                        guard summaryIndex[id] == nil else { return }  // repeated in every file
                        let net: MicroAmount
                        do { net = try MicroAmount(parsing: text(11) ?? "") } catch { throw fail("NetRevenue \(error)") }
                        // The SY ExchangeRate cell converts CurrencyOfTransaction into CurrencyOfReporting, not
                        // the reporting currency into the accounting currency, so it is not offered as a rate:
                        // without a configured rate the summary is held unconverted rather than guessed.
                        summaryIndex[id] = Int32(summaryCount)
                        summaryCount += 1
                        r.summaries.append(SummaryInput(report: r.reference, summaryId: id, commercialModel: text(4) ?? "",
                                                        territory: text(6) ?? "", currency: text(10) ?? "", netRevenue: net,
                                                        exchangeRate: nil, totalUsages: text(8).flatMap { Int64($0) }))
                        report = r
                    case "RE01.02":
                        blockResources.removeAll(keepingCapacity: true)
                        blockICPN = text(6)
                    case "AS02.03":
                        guard let ref = text(2) else { throw fail("AS without ResourceReference") }
                        let isrc = text(4).map { String($0.split(separator: "|").first ?? "").uppercased() }
                        let resource = Resource(isrc: isrc, icpn: blockICPN, dspResourceId: text(3))
                        let rid: Int32
                        if let existing = resourceIds[resource] { rid = existing } else {
                            rid = Int32(resources.count)
                            resourceIds[resource] = rid
                            resources.append(resource)
                        }
                        blockResources[ref] = rid
                    case "SU02.02":
                        guard let sid = text(2), let s = summaryIndex[sid] else { throw fail("SU names an unknown summary") }
                        let rid: Int32
                        if let ref = text(5) {
                            guard let r = blockResources[ref] else { throw fail("SU names an unknown resource \(ref)") }
                            rid = r
                        } else {
                            let resource = Resource(isrc: nil, icpn: blockICPN, dspResourceId: nil)
                            if let existing = resourceIds[resource] { rid = existing } else {
                                rid = Int32(resources.count)
                                resourceIds[resource] = rid
                                resources.append(resource)
                            }
                        }
                        guard cells.count > 7, let u = DSRFlatFileInput.integer(UnsafeBufferPointer(rebasing: line[cells[7]])) else {
                            throw fail("NumberOfStreams is not a count")
                        }
                        let useType = text(10) ?? ""
                        let ut: UInt8
                        if let existing = useTypeIds[useType] { ut = existing } else {
                            guard useTypes.count < 255 else { throw fail("too many use types") }
                            ut = UInt8(useTypes.count)
                            useTypeIds[useType] = ut
                            useTypes.append(useType)
                        }
                        lineSummary.append(s)
                        lineResource.append(rid)
                        lineUseType.append(ut)
                        lineUsages.append(u)
                    default:
                        break
                    }
                }
            }
            if let report { reports.append(report) }
        }
        // Group lines by summary, keeping report order inside each (a stable counting sort).
        var counts = [Int](repeating: 0, count: summaryCount + 1)
        for s in lineSummary { counts[Int(s) + 1] += 1 }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        summaryStart = counts
        var next = counts
        order = [Int32](repeating: 0, count: lineSummary.count)
        for (i, s) in lineSummary.enumerated() {
            order[next[Int(s)]] = Int32(i)
            next[Int(s)] += 1
        }
    }

    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var v: Int64 = 0
        for c in bytes {
            guard c >= 0x30, c <= 0x39 else { return nil }
            v = v * 10 + Int64(c - 0x30)
        }
        return v
    }

    /// The lines of one summary, read from the columns.
    struct Lines: LineSequence {
        let input: DSRFlatFileInput
        let range: Range<Int>

        func forEachLine(_ body: (UsageLine) throws -> Void) throws {
            for k in range {
                let i = Int(input.order[k])
                let r = input.resources[Int(input.lineResource[i])]
                try body(UsageLine(isrc: r.isrc, releaseICPN: r.icpn, dspResourceId: r.dspResourceId, usages: input.lineUsages[i],
                                   useType: input.useTypes[Int(input.lineUseType[i])]))
            }
        }

        func forEachUsage(_ body: (Int64, Bool) throws -> Void) throws {
            for k in range { try body(input.lineUsages[Int(input.order[k])], false) }
        }
    }

    func forEachSummary(in period: StatementPeriod, _ body: (SummaryInput, Lines) throws -> Void) throws {
        for report in reports where period.contains(start: report.reference.usageStart, end: report.reference.usageEnd) {
            for (k, summary) in report.summaries.enumerated() {
                let s = report.firstSummary + k
                try body(summary, Lines(input: self, range: summaryStart[s]..<summaryStart[s + 1]))
            }
        }
    }
}
