/// A territory as DDEX names it: an ISO 3166-1 alpha-2 code from the DDEX allowed-value set, `XK`, or `Worldwide`.
public struct Territory: ValidatedIdentifier, Comparable {
    public static let worldwide = Territory(unchecked: "Worldwide")

    public let value: String

    private init(unchecked: String) { value = unchecked }

    public init(validating string: String) throws(IdentifierError) {
        if string == "Worldwide" {
            value = string
            return
        }
        guard AllowedValues.territoryCodes.contains(string) || string == "XK" else {
            let hint = string.uppercased() == "WW" ? " (write Worldwide)" :
                (AllowedValues.territoryCodes.contains(string.uppercased()) ? " (codes are upper case)" : "")
            throw IdentifierError(.territoryUnknown, value: string, reason: "is not a DDEX territory code\(hint)")
        }
        value = string
    }

    public var isWorldwide: Bool { value == "Worldwide" }

    /// Territories listed both as included and as excluded: the deal contradicts itself there, and DSPs
    /// read such a deal differently (some exclude, some include), so it is refused.
    public static func contradictions(included: [Territory], excluded: [Territory]) -> [Territory] {
        Array(Set(included).intersection(excluded)).sorted()
    }

    public static func < (lhs: Territory, rhs: Territory) -> Bool { lhs.value < rhs.value }
}

/// A set of territories: included ones minus excluded ones, with `Worldwide` meaning every territory.
public struct TerritorySet: Sendable, Hashable, Codable {
    public var included: [Territory]
    public var excluded: [Territory]

    public init(included: [Territory], excluded: [Territory] = []) {
        self.included = included
        self.excluded = excluded
    }

    /// Whether a deal with these territories covers `territory`: named or under `Worldwide`, and not excluded
    /// (an exclusion wins).
    public func contains(_ territory: Territory) -> Bool {
        guard !excluded.contains(territory) else { return false }
        return included.contains(where: { $0.isWorldwide || $0 == territory })
    }

    /// The territories of `self` that `served` also covers; `nil` when they do not overlap at all.
    ///
    /// Worldwide ∩ {GB, US} is {GB, US}; {GB, FR} ∩ Worldwide is {GB, FR}; exclusions carry over.
    public func intersection(_ served: TerritorySet) -> TerritorySet? {
        let selfWorld = included.contains(where: \.isWorldwide)
        let servedWorld = served.included.contains(where: \.isWorldwide)
        let excludedAll = Array(Set(excluded + served.excluded)).sorted()
        if selfWorld && servedWorld {
            return TerritorySet(included: [.worldwide], excluded: excludedAll)
        }
        let candidates = selfWorld ? served.included : included
        let result = candidates.filter { contains($0) && served.contains($0) }
        guard !result.isEmpty else { return nil }
        return TerritorySet(included: Array(Set(result)).sorted(), excluded: [])
    }
}
