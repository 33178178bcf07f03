/// The files of one report (same recipient, sender, service, period, territory and creation time), in
/// file-number order, checked complete: every X of 1...Y present exactly once.
public struct DSRReportFiles: Sendable {
    /// One file of the report: its parsed name and where it is.
    public struct File: Sendable, Hashable {
        public var name: DSRFileName
        public var path: String
    }

    public var key: DSRReportKey
    /// Files 1...Y in order.
    public var files: [File]
    public var numberOfFiles: Int { files.count }

    /// Sorts paths into reports. Names that break the grammar, reports with missing or doubled files and
    /// files that disagree on Y come back as errors; the rest as complete reports in a stable order.
    public static func group(paths: [String]) -> (reports: [DSRReportFiles], rejected: [DSRError]) {
        var rejected: [DSRError] = []
        var byKey: [DSRReportKey: [File]] = [:]
        var order: [DSRReportKey] = []
        for path in paths {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            do {
                let parsed = try DSRFileName(parsing: name)
                if byKey[parsed.reportKey] == nil { order.append(parsed.reportKey) }
                byKey[parsed.reportKey, default: []].append(File(name: parsed, path: path))
            } catch {
                rejected.append(error)
            }
        }
        var reports: [DSRReportFiles] = []
        for key in order {
            guard let files = byKey[key] else { continue }
            do {
                reports.append(try DSRReportFiles(key: key, files: files))
            } catch {
                rejected.append(error)
            }
        }
        return (reports, rejected)
    }

    /// Checks that `files` are exactly files 1...Y of one report.
    public init(key: DSRReportKey, files: [File]) throws(DSRError) {
        self.key = key
        let sorted = files.sorted { $0.name.fileNumber < $1.name.fileNumber }
        guard let first = sorted.first else {
            throw DSRError(.missingFile, file: key.description, "no files given for the report")
        }
        let expected = first.name.numberOfFiles
        for file in sorted where file.name.numberOfFiles != expected {
            throw DSRError(.reportInconsistent, file: file.name.text,
                           "this file says the report has \(file.name.numberOfFiles) files, \(first.name.text) says \(expected)")
        }
        var seen = Set<Int>()
        for file in sorted where !seen.insert(file.name.fileNumber).inserted {
            throw DSRError(.reportInconsistent, file: file.name.text, "file \(file.name.fileNumber) of \(expected) is given twice")
        }
        let missing = (1...expected).filter { !seen.contains($0) }
        if !missing.isEmpty {
            throw DSRError(.missingFile, file: first.name.text,
                           "the report has \(expected) files, but file(s) \(missing.map(String.init).joined(separator: ", ")) of \(expected) are missing; a report is loaded only when all its files are present")
        }
        self.files = sorted
    }
}
