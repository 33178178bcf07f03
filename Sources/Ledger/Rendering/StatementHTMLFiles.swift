import DDEXModel
import Foundation

/// The HTML statements of a set: each payee's pages (its detail rows read by `lines`, rendered and released
/// before its next payee; payees are shared out over `workers` threads, each page independent of the others),
/// the account overviews, the unmatched report and the index. The distributor's index links each account's own
/// statements at `<account>/index.html`, where `ddexd statements` writes them.
enum StatementHTMLFiles {
    /// Threads writing payees' pages: as many as the machine has cores, at most 4.
    static let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))

    static func write(_ set: StatementSet, to folder: String, issuer: String?,
                      lines: @escaping @Sendable (PayeeStatement) -> [EarningsLine]) throws -> [String]
    {
        let base = URL(fileURLWithPath: folder)
        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: base.appendingPathComponent(name), options: .atomic)
        }
        let statements = set.statements
        let payeeFiles = statements.indices.map { i in
            "payee-\(String(format: "%04d", i + 1))-\(StatementWriter.slug(statements[i].payee)).html"
        }
        var names: [String: String] = [:]
        for (i, s) in statements.enumerated() { names[s.payee] = payeeFiles[i] }
        let pages = try ParallelWork.map(count: statements.count, workers: workers) { i in
            var full = statements[i]
            full.lines = lines(full)
            var written: [String] = []
            try StatementHTMLRenderer.forEachPage(full, issuer: issuer, fileName: payeeFiles[i]) { page, html in
                try Data(html).write(to: base.appendingPathComponent(page), options: .atomic)
                written.append(page)
            }
            return written
        }
        var files = pages.flatMap { $0 }
        var rosterNames: [String: String] = [:]
        for o in set.rosters {
            let name = "overview-\(StatementWriter.slug(o.account)).html"
            rosterNames[o.account] = name
            try write(name, StatementHTMLRenderer.render(o))
            files.append(name)
        }
        var unmatchedFile: String?
        if set.account == nil {
            try write("unmatched.html", StatementHTMLRenderer.renderUnmatched(set))
            unmatchedFile = "unmatched.html"
            files.append("unmatched.html")
        }
        var folders: [String: String] = [:]
        if set.account == nil { for account in set.accountNames { folders[account] = account + "/index.html" } }
        try write("index.html", StatementHTMLRenderer.renderIndex(set, fileNames: names, rosterFiles: rosterNames,
                                                                  unmatchedFile: unmatchedFile, accountFolders: folders))
        return files + ["index.html"]
    }
}
