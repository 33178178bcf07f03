import DDEXModel
import DSR

/// The DSR subsystem's bookkeeping (`dsr_reports`, `dsr_report_files`, `dsr_report_warnings`, `dsr_fetches`): the
/// reports in the store and the files fetched for them, moved through one machine, `DSRReportState`.
/// `DSRReportStore` implements it on the SQLite store; another engine (PostgreSQL) can implement the same protocol.
/// (Reports' rows themselves are written by `DSRReportLoader`.)
///
/// Errors: a requirement throws `StoreError` when the store fails (`STORE_BUSY`, `STORE_DECODE`, …); a lookup of an
/// unknown id returns nil or an empty list, a state change of one throws `STORE_MISUSE`, and an event its state does
/// not allow throws `InvalidTransition`. Thread-safety: implementations are `Sendable` and may be called from any
/// thread (blocking: not on the cooperative pool); writes run one at a time on the store's one writer, reads on a
/// committed snapshot.
public protocol DSRReportRepository: Sendable {
    /// The report row with this id, if any.
    func report(id: Int64) throws -> DSRStoredReport?
    /// The report row named `key` (its files' names without XofY), if any.
    func report(key: DSRReportKey) throws -> DSRStoredReport?
    /// Every report row, oldest first.
    func reports() throws -> [DSRStoredReport]
    /// The warnings stored for a report.
    func warnings(reportId: Int64) throws -> [Problem]

    /// Where the report named `key` stands: its row's state, else `failed` when its fetched files failed, else
    /// `fetched`.
    func state(of key: DSRReportKey) throws -> DSRReportState

    /// The one way a report's state is written: `event` applied to the state read in the same transaction, the
    /// report row and its fetched files' rows changed together. `failure` goes with `fail`.
    @discardableResult
    func apply(_ event: DSRReportState.Event, to key: DSRReportKey, failure: (code: String, message: String)?,
               now: String) throws -> DSRReportState

    /// The file fetched from `remotePath` with this size, if any (the newest row).
    func fetch(dsp: String, remotePath: String, size: UInt64) throws -> DSRFetchRecord?
    /// Records a downloaded file (its report `fetched`); the existing row when the same file (path, size, SHA-256)
    /// was recorded before.
    func recordFetched(_ file: NewDSRFetch, now: String) throws -> DSRFetchRecord
    /// Records what was done on the server with these files after their report loaded.
    func markAfterFetch(_ ids: [Int64], action: DSRAfterFetch, now: String) throws
    /// Every fetched file (of one DSP, or of all), oldest first.
    func fetches(dsp: String?) throws -> [DSRFetchRecord]
}

extension DSRReportRepository {
    /// Every fetched file of every DSP, oldest first.
    public func fetches() throws -> [DSRFetchRecord] { try fetches(dsp: nil) }
}
