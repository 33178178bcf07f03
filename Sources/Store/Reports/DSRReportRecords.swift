import DDEXModel
import DSR
import GRDB

/// A report row as stored in `dsr_reports`.
public struct DSRStoredReport: Sendable, Hashable {
    public var id: Int64
    /// `downloaded`, `loaded` or `superseded`: the states that have a report row.
    public var state: DSRReportState
    public var supersededBy: Int64?
    public var key: DSRReportKey
    public var numberOfFiles: Int
    public var messageId: String?
    public var createdAt: String?
    public var lineCount: Int?
    public var usageLineCount: Int?
}

/// What was done on the DSP's server with a report's files once it loaded (`dsr_fetches.after_fetch`).
public enum DSRAfterFetch: String, Sendable, Hashable, CaseIterable {
    /// Left where it was (`after_fetch = "keep"`): `dsr_fetches` keeps it from being fetched again.
    case kept
    /// Deleted from the server, the semaphore last.
    case deleted
    /// Moved into the folder's `processed/`.
    case moved
}

/// A DSR file fetched from a DSP's server, as stored in `dsr_fetches`.
public struct DSRFetchRecord: Sendable, Hashable {
    public var id: Int64
    public var dsp: String
    public var remotePath: String
    public var fileName: String
    public var size: UInt64
    public var remoteModified: Double?
    public var sha256: String
    /// The archived copy under `archive/dsr/<dsp>/`.
    public var localPath: String
    /// The report's name without XofY (`DSRReportKey.description`).
    public var reportKey: String
    public var reportId: Int64?
    /// Its report's state as far as the file goes: `fetched` (not loaded yet), `loaded` (loaded or superseded) or
    /// `failed`.
    public var state: DSRReportState
    public var errorCode: String?
    public var errorMessage: String?
    /// What was done on the server after the load; nil until done.
    public var afterFetch: DSRAfterFetch?
    public var fetchedAt: String
    public var updatedAt: String
}

/// A downloaded DSR file to record.
public struct NewDSRFetch: Sendable, Hashable {
    public var dsp: String
    public var remotePath: String
    public var fileName: String
    public var size: UInt64
    public var remoteModified: Double?
    public var sha256: String
    public var localPath: String
    public var reportKey: DSRReportKey

    public init(dsp: String, remotePath: String, fileName: String, size: UInt64, remoteModified: Double?, sha256: String,
                localPath: String, reportKey: DSRReportKey)
    {
        self.dsp = dsp
        self.remotePath = remotePath
        self.fileName = fileName
        self.size = size
        self.remoteModified = remoteModified
        self.sha256 = sha256
        self.localPath = localPath
        self.reportKey = reportKey
    }
}

extension DSRStoredReport: FetchableRecord {
    /// Decodes a `dsr_reports` row by column name; `STORE_DECODE` for a state no report row has.
    public init(row: Row) throws {
        let t = "dsr_reports"
        id = try row.value("id", in: t)
        state = try Self.state(reportRow: try row.value("state", in: t))
        supersededBy = try row.optionalValue("superseded_by", in: t)
        key = DSRReportKey(recipient: try row.value("recipient", in: t), sender: try row.value("sender", in: t),
                           service: try row.value("service", in: t), period: try row.value("period", in: t),
                           territory: try row.value("territory", in: t), created: try row.value("name_created", in: t))
        numberOfFiles = try row.value("number_of_files", in: t)
        messageId = try row.optionalValue("message_id", in: t)
        createdAt = try row.optionalValue("created_at", in: t)
        lineCount = try row.optionalValue("line_count", in: t)
        usageLineCount = try row.optionalValue("usage_line_count", in: t)
    }
}

extension DSRFetchRecord: FetchableRecord {
    /// Decodes a `dsr_fetches` row by column name; `STORE_DECODE` for an unknown state or after-fetch action.
    public init(row: Row) throws {
        let t = "dsr_fetches"
        id = try row.value("id", in: t)
        dsp = try row.value("dsp", in: t)
        remotePath = try row.value("remote_path", in: t)
        fileName = try row.value("file_name", in: t)
        size = try row.byteCount("size", in: t)
        remoteModified = try row.optionalValue("remote_mtime", in: t)
        sha256 = try row.value("sha256", in: t)
        localPath = try row.value("local_path", in: t)
        reportKey = try row.value("report_key", in: t)
        reportId = try row.optionalValue("report_id", in: t)
        state = try Self.state(fetchRow: try row.value("state", in: t))
        errorCode = try row.optionalValue("error_code", in: t)
        errorMessage = try row.optionalValue("error_message", in: t)
        afterFetch = try Self.afterFetch(try row.optionalValue("after_fetch", in: t))
        fetchedAt = try row.value("fetched_at", in: t)
        updatedAt = try row.value("updated_at", in: t)
    }
}
