import DDEXModel

/// The statement breakdown of a run (payee × DSP × territory × release × track × use type), kept as ids in one
/// array, payee after payee, each payee's rows in the order statements show them (DSP, territory, release ICPN,
/// ISRC, use type).
///
/// Memory: 48 bytes a row and the names once, whatever the number of lines the rows sum; renderers turn one
/// payee's rows into `EarningsLine`s at a time (`lines(for:)`) or write them straight out (`StatementCSVRenderer`).
public final class LedgerBreakdown: Sendable {
    struct Row: Sendable {
        var dsp: Int32
        var territory: Int32
        var release: Int32
        var track: Int32
        var useType: Int32
        var usages: Int64
        var commission: Int64
        var net: Int64
    }

    struct Track: Sendable {
        var isrc: String
        var title: String
        var displayArtist: String
    }

    let rows: [Row]
    /// Per payee id: its rows are `rows[offsets[id]..<offsets[id + 1]]`.
    let offsets: [Int]
    let payeeIds: [String: Int32]
    let dsps: [String]
    let territories: [String]
    let releases: [String]
    let useTypes: [String]
    let tracks: [Track]

    init(rows: [Row], offsets: [Int], payeeIds: [String: Int32], dsps: [String], territories: [String], releases: [String],
         useTypes: [String], tracks: [Track])
    {
        self.rows = rows
        self.offsets = offsets
        self.payeeIds = payeeIds
        self.dsps = dsps
        self.territories = territories
        self.releases = releases
        self.useTypes = useTypes
        self.tracks = tracks
    }

    /// Rows in all.
    public var rowCount: Int { rows.count }

    /// The rows of `payee` (none for a payee the run did not pay).
    func rows(of payee: String) -> ArraySlice<Row> {
        guard let id = payeeIds[payee] else { return [] }
        return rows[offsets[Int(id)]..<offsets[Int(id) + 1]]
    }

    /// The breakdown of one payee, in statement order.
    public func lines(for payee: String) -> [EarningsLine] {
        rows(of: payee).map(line)
    }

    func line(_ row: Row) -> EarningsLine {
        let track = tracks[Int(row.track)]
        return EarningsLine(dsp: dsps[Int(row.dsp)], territory: territories[Int(row.territory)], releaseICPN: releases[Int(row.release)],
                            isrc: track.isrc, title: track.title, displayArtist: track.displayArtist,
                            useType: useTypes[Int(row.useType)], usages: row.usages, commission: MicroAmount(micro: row.commission),
                            net: MicroAmount(micro: row.net))
    }
}
