import DDEXModel
import Foundation

/// The HTML statements of a set, written one file at a time: each payee's pages (its detail rows read by
/// `lines`, rendered and released before the next payee), the account overviews, the unmatched report and the
/// index. The distributor's index links each account's own statements at `<account>/index.html`, where
/// `ddexd statements` writes them.
enum StatementHTMLFiles {
    static func write(_ set: StatementSet, to folder: String, issuer: String?,
                      lines: (PayeeStatement) throws -> [EarningsLine]) throws -> [String]
    {
        let base = URL(fileURLWithPath: folder)
        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: base.appendingPathComponent(name), options: .atomic)
        }
        var files: [String] = []
        var names: [String: String] = [:]
        for (i, s) in set.statements.enumerated() {
            let name = "payee-\(String(format: "%04d", i + 1))-\(StatementWriter.slug(s.payee)).html"
            names[s.payee] = name
            var full = s
            full.lines = try lines(s)
            try StatementHTMLRenderer.forEachPage(full, issuer: issuer, fileName: name) { page, html in
                try Data(html).write(to: base.appendingPathComponent(page), options: .atomic)
                files.append(page)
            }
        }
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
