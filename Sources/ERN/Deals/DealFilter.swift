import DDEXConfig
import DDEXModel

/// Cuts a release's deals down to what one DSP may receive.
///
/// Territories are intersected with the territories the DSP serves (`TerritorySet.intersection`);
/// commercial models and use types are restricted to the ones the profile accepts (an empty list in the
/// profile accepts all). A deal left with no territory, no commercial model or no use type is dropped:
/// "no deal = no deal" (ERN.md §4), so sending half a deal would make the release unavailable anyway.
public enum DealFilter {
    /// The deals as the DSP may receive them, in their order; deals with nothing left are dropped.
    public static func deals(_ deals: [Deal], for profile: DSPProfile) -> [Deal] {
        deals.compactMap { deal(for: $0, profile: profile) }
    }

    /// The part of one deal the DSP may receive, or nil when nothing is left.
    public static func deal(for deal: Deal, profile: DSPProfile) -> Deal? {
        guard let territories = deal.territories.intersection(profile.territories) else { return nil }
        let models = profile.commercialModels.isEmpty
            ? deal.commercialModels : deal.commercialModels.filter(profile.commercialModels.contains)
        let uses = profile.useTypes.isEmpty ? deal.useTypes : deal.useTypes.filter(profile.useTypes.contains)
        guard !models.isEmpty, !uses.isEmpty else { return nil }
        var out = deal
        out.territories = territories
        out.commercialModels = models
        out.useTypes = uses
        return out
    }
}
