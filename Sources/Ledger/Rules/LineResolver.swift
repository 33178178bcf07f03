import DDEXModel

/// A usage line resolved to ids: what the second half of a run (allocation, commission, splits) needs of it.
/// 40 bytes, so a summary's lines can be kept between its two halves instead of read from the store again.
struct ResolvedLine: Sendable {
    var usages: Int64
    /// The line's own money (micro-units of the summary's currency), when `hasOwnAmount`.
    var ownAmount: Int64
    /// The catalogue track, or -1 when the line goes to the unmatched bucket.
    var track: Int32
    /// The release ICPN, as an id of `LineResolver.releases` (the empty cell has one too); -1 when not resolved.
    var release: Int32
    var useType: Int32
    /// The unmatched entry (an index of `LineResolver.unmatched`) when `track` is -1.
    var unmatchedEntry: Int32
    var hasOwnAmount: Bool
    /// Whether the line names its release (an unmatched entry lists the ICPNs it saw).
    var hasReleaseICPN: Bool
}

/// Resolves usage lines from their cells to catalogue tracks, releases, use types and unmatched entries
/// (ACCOUNTING.md §3: the ISRC first, then the release's ICPN with the DSP's resource id), without building a
/// `String` for a line that matches.
struct LineResolver {
    private var isrcs: ByteTable
    private let engine: LedgerEngine
    private let tracks: [LedgerEngine.Track]
    private(set) var releases = ByteTable()
    private(set) var useTypes = ByteTable()
    /// The unmatched entries, by key, in the order first seen; their counts and amounts are the run's
    /// (`LedgerRun.UnmatchedTally`).
    private(set) var unmatched: [UnmatchedEntry] = []
    private var unmatchedKeys = ByteTable()
    private var scratch: [UInt8] = []

    /// Whether every line's release and use type are resolved (for the breakdown), or only an unmatched line's
    /// release (for its entry).
    private let resolvesBreakdownKeys: Bool

    init(engine: LedgerEngine, resolvesBreakdownKeys: Bool) {
        self.engine = engine
        self.tracks = engine.tracks
        self.resolvesBreakdownKeys = resolvesBreakdownKeys
        self.isrcs = engine.isrcTable
    }

    /// Resolves a line, reading its other text cells (`more`) only for the breakdown or when its ISRC does not
    /// match a track with a split.
    mutating func resolve(_ cells: LineCells, _ more: () -> LineTextCells) -> ResolvedLine {
        var track: Int32 = -1
        if !cells.isrc.isEmpty { track = findTrack(isrc: cells.isrc) }
        var line = ResolvedLine(usages: cells.usages, ownAmount: cells.ownAmountMicro ?? 0, track: track, release: -1, useType: -1,
                                unmatchedEntry: -1, hasOwnAmount: cells.ownAmountMicro != nil, hasReleaseICPN: false)
        guard resolvesBreakdownKeys || track < 0 || tracks[Int(track)].splitCount == 0 else { return line }
        let text = more()
        if track < 0, !text.releaseICPN.isEmpty, !text.dspResourceId.isEmpty {
            let key = LedgerEngine.mappingKey(String(decoding: text.releaseICPN, as: UTF8.self),
                                              String(decoding: text.dspResourceId, as: UTF8.self))
            track = engine.mappingIndex[key] ?? -1
        }
        line.track = track
        if track < 0 || tracks[Int(track)].splitCount == 0 {
            line.unmatchedEntry = unmatchedEntry(cells, text, reason: track >= 0 ? .noSplit : .notInCatalogue)
            line.track = -1
        }
        if resolvesBreakdownKeys || line.track < 0 { line.release = releases.id(text.releaseICPN) }
        line.hasReleaseICPN = !text.releaseICPN.isEmpty
        if resolvesBreakdownKeys { line.useType = useTypes.id(text.useType) }
        return line
    }

    /// The track of an ISRC cell, compared in upper case as the catalogue stores it.
    private mutating func findTrack(isrc: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let t = isrcs.find(isrc) { return t }
        guard isrc.contains(where: { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }) else { return -1 }
        uppercased(isrc)
        return scratch.withUnsafeBufferPointer { isrcs.find($0) } ?? -1
    }

    private mutating func uppercased(_ cell: UnsafeBufferPointer<UInt8>) {
        scratch.removeAll(keepingCapacity: true)
        for byte in cell { scratch.append((UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte) }
    }

    /// The unmatched entry of a line, keyed by its ISRC, else by ICPN/resource id, created when new.
    private mutating func unmatchedEntry(_ cells: LineCells, _ text: LineTextCells, reason: UnmatchedReason) -> Int32 {
        scratch.removeAll(keepingCapacity: true)
        if !cells.isrc.isEmpty {
            uppercased(cells.isrc)
        } else if !text.releaseICPN.isEmpty, !text.dspResourceId.isEmpty {
            scratch.append(contentsOf: text.releaseICPN)
            scratch.append(UInt8(ascii: "/"))
            scratch.append(contentsOf: text.dspResourceId)
        } else {
            scratch.append(contentsOf: "(no identifier)".utf8)
        }
        let known = unmatchedKeys.count
        let id = scratch.withUnsafeBufferPointer { unmatchedKeys.id($0) }
        if Int(id) == known {
            let key = String(decoding: scratch, as: UTF8.self)
            unmatched.append(UnmatchedEntry(key: key, isrc: cells.isrc.isEmpty ? nil : key, releaseICPNs: [],
                                            dspResourceId: text.dspResourceId.isEmpty ? nil : String(decoding: text.dspResourceId, as: UTF8.self),
                                            reason: reason, lines: 0, usages: 0, amount: .zero))
        }
        return id
    }
}
