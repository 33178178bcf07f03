import DDEXModel
import Store

/// The per-payee statement breakdown (DSP × territory × release × track × use type) aggregated in SQL, so a run
/// over millions of lines keeps bounded memory.
///
/// As a run's `LedgerBreakdownSink` it sums shares with equal keys in a small in-memory table (consecutive lines
/// mostly share their key) and, whenever that table reaches `flushThreshold` keys, appends its rows to the
/// connection's temporary table `ledger_breakdown`. `lines(for:)` then reads one payee's rows, summed with
/// GROUP BY, in the order statements show them. Memory: the in-memory table, and one payee's rows at a time.
public final class SQLiteBreakdown: LedgerBreakdownSink {
    struct Key: Hashable {
        var payee: String
        var dsp: String
        var territory: String
        var release: String
        var isrc: String
        var useType: String
    }

    struct Sums {
        var usages: Int64 = 0
        var commission: Int64 = 0
        var net: Int64 = 0
    }

    public let database: Database
    public var flushThreshold = 1 << 16
    private var pending: [Key: Sums] = [:]
    private let insert: Statement
    private var indexed = false

    /// Creates (or empties) the temporary table on `database`'s connection.
    public init(database: Database) throws {
        self.database = database
        try database.execute("""
            CREATE TEMP TABLE IF NOT EXISTS ledger_breakdown (
                payee TEXT NOT NULL, dsp TEXT NOT NULL, territory TEXT NOT NULL, release TEXT NOT NULL,
                isrc TEXT NOT NULL, use_type TEXT NOT NULL, usages INTEGER NOT NULL, commission INTEGER NOT NULL,
                net INTEGER NOT NULL);
            DROP INDEX IF EXISTS temp.ledger_breakdown_by_payee;
            DELETE FROM temp.ledger_breakdown;
            """)
        insert = try database.prepare("INSERT INTO temp.ledger_breakdown VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
    }

    public func record(payee: String, dsp: String, territory: String, releaseICPN: String, isrc: String, useType: String,
                       usages: Int64, commission: Int64, net: Int64) throws
    {
        let key = Key(payee: payee, dsp: dsp, territory: territory, release: releaseICPN, isrc: isrc, useType: useType)
        pending[key, default: Sums()].add(usages: usages, commission: commission, net: net)
        if pending.count >= flushThreshold { try flush() }
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        try database.transaction {
            for (key, sums) in pending {
                try insert.bind([.text(key.payee), .text(key.dsp), .text(key.territory), .text(key.release), .text(key.isrc),
                                 .text(key.useType), .integer(sums.usages), .integer(sums.commission), .integer(sums.net)])
                try insert.run()
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Ends the run's writes: flushes and indexes the rows by payee. `engine` names the tracks (title, artist).
    public func finish(engine: LedgerEngine) throws {
        try flush()
        if !indexed {
            try database.execute("CREATE INDEX IF NOT EXISTS temp.ledger_breakdown_by_payee ON ledger_breakdown (payee)")
            indexed = true
        }
        trackNames = { isrc in
            guard let t = engine.isrcIndex[isrc] else { return ("", "") }
            let track = engine.tracks[Int(t)]
            return (track.title, track.displayArtist)
        }
    }

    private var trackNames: (String) -> (String, String) = { _ in ("", "") }

    /// One payee's breakdown, summed per key, sorted by DSP, territory, release, ISRC and use type.
    public func lines(for payee: String) throws -> [EarningsLine] {
        let query = try database.prepare("""
            SELECT dsp, territory, release, isrc, use_type, sum(usages), sum(commission), sum(net)
            FROM temp.ledger_breakdown WHERE payee = ?
            GROUP BY dsp, territory, release, isrc, use_type ORDER BY dsp, territory, release, isrc, use_type
            """)
        try query.bind(payee, at: 1)
        var lines: [EarningsLine] = []
        while try query.step() {
            let isrc = query.string(at: 3) ?? ""
            let (title, artist) = trackNames(isrc)
            lines.append(EarningsLine(dsp: query.string(at: 0) ?? "", territory: query.string(at: 1) ?? "",
                                      releaseICPN: query.string(at: 2) ?? "", isrc: isrc, title: title, displayArtist: artist,
                                      useType: query.string(at: 4) ?? "", usages: query.int64(at: 5),
                                      commission: MicroAmount(micro: query.int64(at: 6)), net: MicroAmount(micro: query.int64(at: 7))))
        }
        return lines
    }

    /// Rows written to the temporary table (after `finish`).
    public var rowCount: Int {
        get throws { Int(try database.scalarInt("SELECT count(*) FROM temp.ledger_breakdown") ?? 0) }
    }
}

extension SQLiteBreakdown.Sums {
    @inline(__always)
    mutating func add(usages u: Int64, commission c: Int64, net n: Int64) {
        usages &+= u
        commission &+= c
        net &+= n
    }
}
