/// Claims a DSP's BatchIds, so that none is ever used twice: not by two builds in one millisecond on one machine,
/// nor by two instances of a cluster building on one spool at the same moment (where looking for the bundle folder
/// first cannot tell, since the other's is still hidden). The daemon claims them in its store.
public protocol BatchIdClaiming: Sendable {
    /// True when `batchId` was free for `dsp` and is now the caller's; false when it was claimed before.
    func claim(dsp: String, batchId: String) throws -> Bool
}
