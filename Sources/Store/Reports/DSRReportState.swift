import DDEXModel

/// Where a DSR report is in its life. Every allowed transition is listed in `allowedNext`, and nowhere
/// else: `discovered → downloaded → parsed → loaded → superseded`.
///
/// - `discovered`: the pick-up saw the report's files (and semaphore) on the DSP's server.
/// - `downloaded`: every file is in the local spool.
/// - `parsed`: every file was read and reconciled, and its rows are written (inside the load's transaction).
/// - `loaded`: the report counts in the totals.
/// - `superseded`: a newer report for the same recipient, sender, service, period and territory
///   replaced it; its rows stay, accounting ignores them.
public enum DSRReportState: String, Sendable, CaseIterable, Codable {
    case discovered
    case downloaded
    case parsed
    case loaded
    case superseded

    /// The states this one may move to.
    public var allowedNext: Set<DSRReportState> {
        switch self {
        case .discovered: return [.downloaded]
        case .downloaded: return [.parsed]
        case .parsed: return [.loaded]
        case .loaded: return [.superseded]
        case .superseded: return []
        }
    }

    public func canTransition(to next: DSRReportState) -> Bool { allowedNext.contains(next) }

    /// The next state, or `DSR_STATE_TRANSITION` when the move is not allowed.
    public func transition(to next: DSRReportState) throws(DSRStateError) -> DSRReportState {
        guard canTransition(to: next) else { throw DSRStateError(from: self, to: next) }
        return next
    }
}

/// A report was asked to make a move its state machine forbids (or another writer moved it first).
public struct DSRStateError: CodedError, Sendable, Equatable {
    public var from: DSRReportState
    public var to: DSRReportState
    public var reportId: Int64?
    public var code: String { "DSR_STATE_TRANSITION" }
    public var description: String {
        "\(code): report\(reportId.map { " \($0)" } ?? "") cannot go from \(from.rawValue) to \(to.rawValue)"
    }

    public init(from: DSRReportState, to: DSRReportState, reportId: Int64? = nil) {
        self.from = from
        self.to = to
        self.reportId = reportId
    }
}
