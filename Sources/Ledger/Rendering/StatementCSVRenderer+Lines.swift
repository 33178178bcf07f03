import DDEXModel
import Foundation

extension StatementCSVRenderer {
    /// The header of `statement-lines.csv`.
    static let linesHeader = ["payee", "dsp", "territory", "release_icpn", "isrc", "title", "display_artist", "use_type", "usages",
                              "gross", "commission", "net"]

    /// Writes `statement-lines.csv` (one row per payee × DSP × territory × release × track × use type) to `path`,
    /// streamed: rows go out in 1 MiB writes and every name is escaped once per run,
    /// from the run's compact breakdown when it has one.
    static func writeLines(_ set: StatementSet, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw LedgerError(.ledgerFileUnreadable, at: path, "cannot create the file")
        }
        defer { try? handle.close() }
        var out = CSVByteWriter(handle: handle, decimals: CurrencyMinorUnits.decimals(for: set.currency))
        out.row(linesHeader.map { Array($0.utf8) })
        if let breakdown = set.result.breakdown {
            var names = BreakdownFieldCache(breakdown)
            for s in set.statements {
                let payee = Array(text(s.payee).utf8)
                for row in breakdown.rows(of: s.payee) {
                    out.bytes(payee)
                    out.comma(names.fields(of: row))
                    out.amounts(usages: row.usages, commission: row.commission, net: row.net)
                    try out.flushIfFull()
                }
            }
        } else {
            for s in set.statements {
                let payee = Array(text(s.payee).utf8)
                for l in s.lines {
                    out.bytes(payee)
                    out.comma(Array([text(l.dsp), text(l.territory), text(l.releaseICPN), text(l.isrc), text(l.title),
                                     text(l.displayArtist), text(l.useType)].joined(separator: ",").utf8))
                    out.amounts(usages: l.usages, commission: l.commission.micro, net: l.net.micro)
                    try out.flushIfFull()
                }
            }
        }
        try out.flush()
    }
}

/// The escaped CSV text of a breakdown's names, made once per name.
private struct BreakdownFieldCache {
    let breakdown: LedgerBreakdown
    private var dsps: [[UInt8]?]
    private var territories: [[UInt8]?]
    private var releases: [[UInt8]?]
    private var tracks: [[UInt8]?]
    private var useTypes: [[UInt8]?]
    private var scratch: [UInt8] = []

    init(_ breakdown: LedgerBreakdown) {
        self.breakdown = breakdown
        dsps = Array(repeating: nil, count: breakdown.dsps.count)
        territories = Array(repeating: nil, count: breakdown.territories.count)
        releases = Array(repeating: nil, count: breakdown.releases.count)
        tracks = Array(repeating: nil, count: breakdown.tracks.count)
        useTypes = Array(repeating: nil, count: breakdown.useTypes.count)
    }

    /// `dsp,territory,release_icpn,isrc,title,display_artist,use_type` of a row.
    mutating func fields(of row: LedgerBreakdown.Row) -> [UInt8] {
        scratch.removeAll(keepingCapacity: true)
        scratch += Self.cached(&dsps, row.dsp) { StatementCSVRenderer.text(breakdown.dsps[$0]) }
        scratch.append(UInt8(ascii: ","))
        scratch += Self.cached(&territories, row.territory) { StatementCSVRenderer.text(breakdown.territories[$0]) }
        scratch.append(UInt8(ascii: ","))
        scratch += Self.cached(&releases, row.release) { StatementCSVRenderer.text(breakdown.releases[$0]) }
        scratch.append(UInt8(ascii: ","))
        scratch += Self.cached(&tracks, row.track) { i in
            let t = breakdown.tracks[i]
            return StatementCSVRenderer.text(t.isrc) + "," + StatementCSVRenderer.text(t.title) + "," + StatementCSVRenderer.text(t.displayArtist)
        }
        scratch.append(UInt8(ascii: ","))
        scratch += Self.cached(&useTypes, row.useType) { StatementCSVRenderer.text(breakdown.useTypes[$0]) }
        return scratch
    }

    /// The escaped text of name `id`, made by `make` the first time.
    private static func cached(_ cache: inout [[UInt8]?], _ id: Int32, _ make: (Int) -> String) -> [UInt8] {
        if let bytes = cache[Int(id)] { return bytes }
        let bytes = Array(make(Int(id)).utf8)
        cache[Int(id)] = bytes
        return bytes
    }
}

/// CSV rows into a byte buffer written to a file in large pieces.
struct CSVByteWriter {
    let handle: FileHandle
    let decimals: Int
    private(set) var buffer: [UInt8] = []

    init(handle: FileHandle, decimals: Int) {
        self.handle = handle
        self.decimals = decimals
        buffer.reserveCapacity(1 << 21)
    }

    mutating func bytes(_ bytes: [UInt8]) { buffer += bytes }

    mutating func comma(_ bytes: [UInt8]) {
        buffer.append(UInt8(ascii: ","))
        buffer += bytes
    }

    mutating func row(_ fields: [[UInt8]]) {
        for (i, f) in fields.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            buffer += f
        }
        buffer += [13, 10]
    }

    /// `,usages,gross,commission,net` and the line end (usages are never negative).
    mutating func amounts(usages: Int64, commission: Int64, net: Int64) {
        buffer.append(UInt8(ascii: ","))
        MicroAmount.appendDigits(usages.magnitude, minimumCount: 1, to: &buffer)
        for amount in [net &+ commission, commission, net] {
            buffer.append(UInt8(ascii: ","))
            MicroAmount(micro: amount).appendFormatted(decimals: decimals, to: &buffer)
        }
        buffer += [13, 10]
    }

    mutating func flushIfFull() throws {
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
