import DDEXModel

/// Something that went wrong with one remote path (listing, download, after-fetch), with its code.
public struct PollIssue: Sendable, Codable, Equatable {
    public var path: String
    public var code: String
    public var message: String

    public init(path: String, code: String, message: String) {
        self.path = path
        self.code = code
        self.message = message
    }

    init(path: String, error: any Error) {
        let coded = error as? any CodedError
        self.init(path: path, code: coded?.code ?? "POLL_FAILED", message: coded?.description ?? "\(error)")
    }
}

/// One acknowledgement file in a pass summary.
public struct AckPollItem: Sendable, Codable, Equatable {
    /// Path on the DSP's server, relative to the transport root.
    public var remotePath: String
    public var archivedPath: String?
    /// Deliveries the file moved in this pass.
    public var deliveries: [Int64]
    /// The acknowledgement's summary (`ResourceCorrupt: …`), or the error for an invalid file.
    public var detail: String?
    /// For an invalid file: the coded error.
    public var code: String?
    /// True when the file was recorded by an earlier pass (an unmatched file tried again).
    public var retried: Bool

    public init(remotePath: String, archivedPath: String? = nil, deliveries: [Int64] = [], detail: String? = nil,
                code: String? = nil, retried: Bool = false)
    {
        self.remotePath = remotePath
        self.archivedPath = archivedPath
        self.deliveries = deliveries
        self.detail = detail
        self.code = code
        self.retried = retried
    }
}

/// What one acknowledgement pass over a DSP did.
public struct AckPollSummary: Sendable, Codable, Equatable {
    /// Files whose every entry is applied.
    public var applied: [AckPollItem] = []
    /// Files with an entry no completed delivery matches: archived, kept, tried again on later passes.
    public var unmatched: [AckPollItem] = []
    /// Files that are no acknowledgement (or hostile): archived, recorded with their coded error.
    public var invalid: [AckPollItem] = []
    /// Content already processed from another path.
    public var duplicates: [AckPollItem] = []
    /// Folders that could not be listed and files that could not be downloaded (tried again next pass).
    public var errors: [PollIssue] = []

    public init() {}
}

/// One DSR report in a pass summary.
public struct DSRPollReport: Sendable, Codable, Equatable {
    /// The report's name without XofY.
    public var report: String
    /// The report's remote files.
    public var files: [String]
    /// The store's report id, once loaded.
    public var reportId: Int64?
    /// `loaded`, `already-loaded`, `loaded-superseded`; or for a waiting report why it is not taken.
    public var detail: String?
    public var code: String?

    public init(report: String, files: [String], reportId: Int64? = nil, detail: String? = nil, code: String? = nil) {
        self.report = report
        self.files = files
        self.reportId = reportId
        self.detail = detail
        self.code = code
    }
}

/// What one DSR pass over a DSP did.
public struct DSRPollSummary: Sendable, Codable, Equatable {
    /// Remote files downloaded in this pass.
    public var fetched: [String] = []
    /// Reports loaded in this pass (or found loaded before, byte for byte).
    public var loaded: [DSRPollReport] = []
    /// Reports that failed to load; their files stay archived with the coded error.
    public var failed: [DSRPollReport] = []
    /// Reports not taken yet: no semaphore, or a part missing.
    public var waiting: [DSRPollReport] = []
    /// Reports fetched and settled by earlier passes (loaded, or failed with a recorded error).
    public var done: [String] = []
    /// `DSR_` files whose name breaks the grammar: never taken.
    public var ignored: [PollIssue] = []
    /// Listing, download and after-fetch failures (tried again next pass).
    public var errors: [PollIssue] = []

    public init() {}
}

/// What a poll pass did for one DSP.
public struct DSPPollSummary: Sendable, Codable, Equatable {
    public var acks = AckPollSummary()
    public var reports = DSRPollSummary()
    /// The DSP could not be reached at all (transport creation or connection).
    public var errors: [PollIssue] = []
    /// Set when that failure needs a person (host key, credentials, configuration): the DSP is blocked.
    public var blockedBy: DSPIssue?

    public init() {}

    /// True when something failed: an unreachable server, an invalid acknowledgement, a report that did not
    /// load, a file that could not be fetched. Unmatched acknowledgements and waiting reports are not failures.
    public var hasFailures: Bool { !failures.isEmpty }

    /// Every failure of the pass as a coded issue (for a daemon's status or log).
    public var failures: [PollIssue] {
        errors + acks.errors + reports.errors
            + acks.invalid.map { PollIssue(path: $0.remotePath, code: $0.code ?? "ACK_INVALID", message: $0.detail ?? "") }
            + reports.failed.map { PollIssue(path: $0.report, code: $0.code ?? "DSR_LOAD_FAILED", message: $0.detail ?? "") }
    }
}
