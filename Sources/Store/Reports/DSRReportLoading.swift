import DDEXModel
import DSR

/// Loads a DSR report into a store, whatever its engine: `DSRReportLoader` on SQLite, `PostgresDSRReportLoader` on
/// PostgreSQL. Both follow the same rules (`DSRLoadRules`) and store the same rows (`DSRRowMapper`): a report is
/// visible whole or not at all, the same files loaded again change nothing (`alreadyLoaded`), a file of a known
/// name but other content is refused (`DSR_FILE_CONFLICT`), and a newer report of the same context supersedes the
/// older ones.
///
/// A load blocks for as long as it takes (seconds per million lines) and reads the files on a thread of its own:
/// call it where blocking is fine (the daemon's blocking pool), never on Swift's cooperative pool.
public protocol DSRReportLoading: Sendable {
    /// Loads one complete report. Throws `DSRError`, `StoreError` or `InvalidTransition`; on any error nothing of
    /// the report is stored. `progress` is called on the loading thread as the files are read.
    func load(_ report: DSRReportFiles, progress: ((DSRLoadProgress) -> Void)?) throws -> DSRLoadResult
}

extension DSRReportLoading {
    /// Loads one complete report, without progress reports.
    public func load(_ report: DSRReportFiles) throws -> DSRLoadResult { try load(report, progress: nil) }
}

/// What loading a report did.
public struct DSRLoadResult: Sendable, Hashable {
    /// How the report relates to the ones already stored for its context.
    public enum Outcome: Sendable, Hashable {
        /// The report was loaded and is the newest for its context.
        case loaded
        /// The report was loaded, but a newer report for the same context already was: it is stored as
        /// superseded by that one.
        case loadedSuperseded(by: Int64)
        /// Every file (name and SHA-256) was loaded before: nothing changed.
        case alreadyLoaded
    }

    public var reportId: Int64
    public var outcome: Outcome
    /// Older reports this load superseded.
    public var superseded: [Int64]
    public var lineCount: Int
    public var usageLineCount: Int
    public var warnings: [Problem]
}

/// How far a load is, for progress bars.
public struct DSRLoadProgress: Sendable {
    public var fileName: String
    public var fileNumber: Int
    public var numberOfFiles: Int
    /// Bytes of the current file read (compressed bytes for `.gz`).
    public var bytesRead: Int64
    public var linesRead: Int
}
