import DDEXModel

/// The tracks a master ERN's main release lists, in order, and their ISRCs by resource reference (read by each
/// version's mapper its own way).
struct MasterERNTracks {
    var tracks: [Track] = []
    var isrcByResource: [String: ISRC] = [:]
}

/// The main release's identifiers, from its `ReleaseId`(s).
struct MasterERNReleaseIds {
    var icpn: ICPN?
    var grid: GRid?
    var catalogNumber: String?
    var proprietaryIds: [ProprietaryId]
}
