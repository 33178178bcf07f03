import DDEXModel
import DSR

/// The statements the DSR bookkeeping's rules (`DSRReportRules`, `DSRLoadRules`) run, inside one transaction of one
/// engine: each a single read or write of `dsr_reports`, `dsr_report_files`, `dsr_report_warnings` or
/// `dsr_fetches`, with no rule of its own, so that SQLite and PostgreSQL apply the same rules by the same code.
package protocol DSRReportTransaction {
    func report(id: Int64) throws -> DSRStoredReport?
    func report(key: DSRReportKey) throws -> DSRStoredReport?
    /// The `loaded` and `superseded` reports of `key`'s context (recipient, sender, service, period, territory),
    /// newest first: by `created_unix_ms` (0 when unknown), then `name_created`, then id, each descending.
    func reportsOfContext(_ key: DSRReportKey) throws -> [DSRStoredReport]
    /// Inserts a report row; returns its id.
    func insertReport(_ key: DSRReportKey, state: DSRReportState, numberOfFiles: Int, now: String) throws -> Int64
    /// Deletes a report row and its files' rows.
    func deleteReport(id: Int64) throws
    /// Sets a report row's state (and `superseded_by`, when given).
    func setReportState(id: Int64, _ state: DSRReportState, supersededBy: Int64?, now: String) throws
    /// Sets a loaded report's totals.
    func setReportTotals(id: Int64, lineCount: Int, summaryCount: Int, blockCount: Int, usageLineCount: Int) throws
    /// The report (and the digest) a file of this name was loaded with, if any file of that name kept its digest.
    func loadedFile(named name: String) throws -> (reportId: Int64, sha256: String)?

    func warnings(reportId: Int64) throws -> [Problem]
    func insertWarnings(_ warnings: [Problem], reportId: Int64) throws

    /// The distinct `dsr_fetches.state` texts of the files fetched for the report named `reportKey`.
    func fetchStates(reportKey: String) throws -> [String]
    /// Moves the report's fetched files (state `fetched`) to `state`, with the report's id, clearing their error.
    func publishFetches(reportKey: String, reportId: Int64, state: DSRReportState, now: String) throws
    /// Moves the report's fetched files (state `fetched`) to `failed`, with the error.
    func failFetches(reportKey: String, failure: (code: String, message: String)?, now: String) throws
    func fetch(id: Int64) throws -> DSRFetchRecord?
    /// The file fetched from this path with this size and digest, if any.
    func fetch(dsp: String, remotePath: String, size: UInt64, sha256: String) throws -> DSRFetchRecord?
    /// Inserts a fetched file's row, in `state`; returns its id.
    func insertFetch(_ file: NewDSRFetch, state: DSRReportState, now: String) throws -> Int64
    func setFetchLocalPath(id: Int64, _ localPath: String, now: String) throws
}
