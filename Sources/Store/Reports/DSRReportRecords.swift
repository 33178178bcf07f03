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
    /// Decodes a `dsr_reports` row by column name, on either engine; `STORE_DECODE` for a state no report row has.
    public init(row: some StoredRow) throws(StoreError) {
        let t = "dsr_reports"
        id = try row.integer("id", in: t)
        let text = try row.text("state", in: t)
        guard let state = DSRReportState(rawValue: text), state.reportRowState == text else {
            throw StoreError(.decode, message: "\(t).state holds '\(text)', which is no state of a report row")
        }
        self.state = state
        supersededBy = try row.optionalInteger("superseded_by", in: t)
        key = DSRReportKey(recipient: try row.text("recipient", in: t), sender: try row.text("sender", in: t),
                           service: try row.text("service", in: t), period: try row.text("period", in: t),
                           territory: try row.text("territory", in: t), created: try row.text("name_created", in: t))
        numberOfFiles = try row.int("number_of_files", in: t)
        messageId = try row.optionalText("message_id", in: t)
        createdAt = try row.optionalText("created_at", in: t)
        lineCount = try row.optionalInteger("line_count", in: t).map { Int($0) }
        usageLineCount = try row.optionalInteger("usage_line_count", in: t).map { Int($0) }
    }
}

extension DSRFetchRecord: FetchableRecord {
    /// Decodes a `dsr_fetches` row by column name, on either engine; `STORE_DECODE` for an unknown state or
    /// after-fetch action.
    public init(row: some StoredRow) throws(StoreError) {
        let t = "dsr_fetches"
        id = try row.integer("id", in: t)
        dsp = try row.text("dsp", in: t)
        remotePath = try row.text("remote_path", in: t)
        fileName = try row.text("file_name", in: t)
        size = try row.byteCount("size", in: t)
        remoteModified = try row.optionalDouble("remote_mtime", in: t)
        sha256 = try row.text("sha256", in: t)
        localPath = try row.text("local_path", in: t)
        reportKey = try row.text("report_key", in: t)
        reportId = try row.optionalInteger("report_id", in: t)
        let text = try row.text("state", in: t)
        guard let state = [DSRReportState.fetched, .loaded, .failed].first(where: { $0.fetchRowState == text }) else {
            throw StoreError(.decode, message: "\(t).state holds '\(text)', which is no state of a fetched file")
        }
        self.state = state
        errorCode = try row.optionalText("error_code", in: t)
        errorMessage = try row.optionalText("error_message", in: t)
        afterFetch = try row.optionalText("after_fetch", in: t).map { action throws(StoreError) in
            guard let value = DSRAfterFetch(rawValue: action) else {
                throw StoreError(.decode, message: "\(t).after_fetch holds '\(action)', which is no DSRAfterFetch")
            }
            return value
        }
        fetchedAt = try row.text("fetched_at", in: t)
        updatedAt = try row.text("updated_at", in: t)
    }
}
