import DDEXModel

/// An account's view of a period: what its tracks earned per payee, DSP, territory and track, with the
/// previous period beside it when there is one.
public struct RosterOverview: Sendable, Hashable {
    /// A figure with the previous period's figure, if known.
    public struct Row: Sendable, Hashable, Codable {
        public var name: String
        public var amount: MicroAmount
        public var previous: MicroAmount?
    }

    public var account: String
    public var period: StatementPeriod
    public var previousPeriod: StatementPeriod?
    public var currency: String
    /// Line amounts of matched tracks before commission.
    public var gross: MicroAmount
    public var commission: MicroAmount
    public var usages: Int64
    public var previousGross: MicroAmount?
    public var payees: [Row]
    public var dsps: [Row]
    public var territories: [Row]
    /// The tracks with the largest gross, at most `topTrackLimit`.
    public var topTracks: [TrackActivity]

    public static let topTrackLimit = 20

    /// The overview of `activity`, compared with `previous` (the same account in the previous period) if given.
    public init(activity: AccountActivity, period: StatementPeriod, currency: String,
                previous: AccountActivity?, previousPeriod: StatementPeriod?)
    {
        func rows(_ current: [String: MicroAmount], _ before: [String: MicroAmount]?) -> [Row] {
            var names = Set(current.keys)
            if let before { names.formUnion(before.keys) }
            return names.map { name in Row(name: name, amount: current[name] ?? .zero, previous: before.map { $0[name] ?? .zero }) }
                .sorted { ($1.amount, $0.name) < ($0.amount, $1.name) }
        }
        account = activity.account
        self.period = period
        self.previousPeriod = previous == nil ? nil : previousPeriod
        self.currency = currency
        gross = activity.gross
        commission = activity.commission
        usages = activity.usages
        previousGross = previous?.gross
        payees = rows(activity.byPayee, previous?.byPayee)
        dsps = rows(activity.byDSP, previous?.byDSP)
        territories = rows(activity.byTerritory, previous?.byTerritory)
        topTracks = Array(activity.byTrack.values.sorted { ($1.gross, $0.isrc) < ($0.gross, $1.isrc) }.prefix(RosterOverview.topTrackLimit))
    }
}
