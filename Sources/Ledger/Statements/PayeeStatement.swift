import DDEXModel

/// What a payee is told for one period: balances, earnings and their breakdown.
public struct PayeeStatement: Sendable, Hashable {
    public var payee: String
    public var period: StatementPeriod
    public var currency: String
    /// Earnings, opening balance, recouped, closing balance, payable.
    public var recoupment: Recoupment
    /// Commission on the payee's part of the lines (display; earnings are already net of it).
    public var commission: MicroAmount
    /// DSP × territory × release and track × use type.
    public var lines: [EarningsLine]

    public var earnings: MicroAmount { recoupment.earnings }
    public var gross: MicroAmount { recoupment.earnings + commission }

    /// Net earnings per DSP, largest first.
    public var byDSP: [(name: String, amount: MicroAmount)] { PayeeStatement.group(lines) { $0.dsp } }
    /// Net earnings per territory, largest first.
    public var byTerritory: [(name: String, amount: MicroAmount)] { PayeeStatement.group(lines) { $0.territory } }
    /// Net earnings per use type, largest first.
    public var byUseType: [(name: String, amount: MicroAmount)] { PayeeStatement.group(lines) { $0.useType } }

    /// Per track (ISRC): title, artist, usages, gross, commission and net, largest net first.
    public var byTrack: [TrackTotal] {
        var totals: [String: TrackTotal] = [:]
        for line in lines {
            totals[line.isrc, default: TrackTotal(isrc: line.isrc, title: line.title, displayArtist: line.displayArtist)].add(line)
        }
        return totals.values.sorted { ($1.net, $0.isrc) < ($0.net, $1.isrc) }
    }

    static func group(_ lines: [EarningsLine], by key: (EarningsLine) -> String) -> [(name: String, amount: MicroAmount)] {
        var totals: [String: MicroAmount] = [:]
        for line in lines { totals[key(line), default: .zero] += line.net }
        return totals.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
    }

    public static func == (lhs: PayeeStatement, rhs: PayeeStatement) -> Bool {
        lhs.payee == rhs.payee && lhs.period == rhs.period && lhs.recoupment == rhs.recoupment && lhs.lines == rhs.lines
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(payee)
        hasher.combine(period)
    }
}

/// A track's totals on a statement.
public struct TrackTotal: Sendable, Hashable {
    public var isrc: String
    public var title: String
    public var displayArtist: String
    public var usages: Int64 = 0
    public var commission: MicroAmount = .zero
    public var net: MicroAmount = .zero
    public var gross: MicroAmount { net + commission }

    mutating func add(_ line: EarningsLine) {
        usages &+= line.usages
        commission += line.commission
        net += line.net
    }
}
