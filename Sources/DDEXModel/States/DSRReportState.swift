/// Where a DSR report stands, from its files at hand to the ledger: one machine for the report (`dsr_reports.state`)
/// and for the files fetched for it (`dsr_fetches.state`), both written by one store method
/// (`DSRReportStore.apply`).
///
/// ```
/// fetched ──stage──▶ downloaded ──publish──▶ loaded ──supersede──▶ superseded
///    │  ▲              │    ▲ (stage: a load cut short is staged again)
///    │  └───unstage────┘
///    └──fail──▶ failed ──stage──▶ downloaded …   (loaded again on request)
/// ```
///
/// A report's rows are written while it is `downloaded` (the staging state every reader filters out), in bounded
/// transactions, and one last transaction publishes it. A load that fails is unstaged (its rows removed); a failure
/// of the files' content is final for those bytes (`failed`: kept in the archive, not fetched again). Files of a
/// report loaded before (the same bytes fetched again) publish it again without changing it, and files that
/// conflict with a loaded report fail without changing it.
public enum DSRReportState: String, StateMachine {
    /// Its files are at hand (fetched into the archive, or given to `ddexd ingest-dsr`); nothing of it is stored.
    case fetched
    /// Its rows are being written: staged, seen by no reader.
    case downloaded
    /// It counts in the ledger.
    case loaded
    /// A newer report for the same recipient, sender, service, period and territory replaced it; its rows stay,
    /// the ledger ignores them.
    case superseded
    /// Its files did not load, with a coded error; they stay archived and are not fetched again.
    case failed

    /// What can happen to a report; `next(after:)` says which state each event leads to, or refuses it.
    public enum Event: String, Sendable, Hashable, CaseIterable {
        /// Its rows start being written (or, after a load cut short, are written again).
        case stage
        /// A load that failed removed what it had staged.
        case unstage
        /// The last transaction of a load: the report becomes visible whole.
        case publish
        /// A newer report of the same context was published.
        case supersede
        /// Its files' content cannot be loaded.
        case fail
    }

    public func next(after event: Event) -> DSRReportState? {
        switch self {
        case .fetched:
            switch event {
            case .stage: .downloaded
            case .fail: .failed
            case .unstage, .publish, .supersede: nil
            }
        case .downloaded:
            switch event {
            case .stage: .downloaded
            case .unstage: .fetched
            case .publish: .loaded
            case .supersede, .fail: nil
            }
        // The same bytes fetched again publish nothing new; other bytes under its name fail without changing it.
        case .loaded:
            switch event {
            case .publish, .fail: .loaded
            case .supersede: .superseded
            case .stage, .unstage: nil
            }
        case .superseded:
            switch event {
            case .publish, .fail: .superseded
            case .stage, .unstage, .supersede: nil
            }
        case .failed:
            switch event {
            case .stage: .downloaded
            case .fail: .failed
            case .unstage, .publish, .supersede: nil
            }
        }
    }

    /// Nothing more happens to it.
    public var isTerminal: Bool { self == .superseded }

    /// The state's text in `dsr_reports.state`, for the states that have a report row (`downloaded`, `loaded`,
    /// `superseded`); nil for `fetched` and `failed`, which have none.
    public var reportRowState: String? {
        switch self {
        case .downloaded, .loaded, .superseded: rawValue
        case .fetched, .failed: nil
        }
    }

    /// The state's text in `dsr_fetches.state`: the files of a report being staged are still `fetched`, those of a
    /// superseded one `loaded`.
    public var fetchRowState: String {
        switch self {
        case .fetched, .downloaded: "fetched"
        case .loaded, .superseded: "loaded"
        case .failed: "failed"
        }
    }
}
