/// Commercial terms under which the release may be offered.
public struct Deal: Sendable, Hashable, Codable {
    public var territories: TerritorySet
    /// DDEX CommercialModelType values, e.g. `SubscriptionModel`.
    public var commercialModels: [String]
    /// DDEX UseType values, e.g. `OnDemandStream`.
    public var useTypes: [String]
    /// First day of validity (DDEX requires a start).
    public var start: PartialDate
    public var end: PartialDate?
    /// Restrict the deal to some tracks (by ISRC); empty means the whole release.
    public var trackISRCs: [ISRC]

    public init(territories: TerritorySet, commercialModels: [String], useTypes: [String], start: PartialDate,
                end: PartialDate? = nil, trackISRCs: [ISRC] = [])
    {
        self.territories = territories
        self.commercialModels = commercialModels
        self.useTypes = useTypes
        self.start = start
        self.end = end
        self.trackISRCs = trackISRCs
    }
}
