import DDEXModel
import Foundation

/// The run's totals as JSON with exactly the shape of dsrgen's `expected.json` (integers in micro-units), so
/// `dsrgen.py --verify expected.json --actual <this>` checks it. Extra top-level keys (period, reports,
/// unconverted summaries, warnings, and with `includeStatements` the statements and overviews) are ignored by
/// the check.
public enum SummaryJSONRenderer {
    struct PayeeFigures: Encodable {
        var earnings_micro: Int64
        var opening_balance_micro: Int64
        var recouped_micro: Int64
        var payable_micro: Int64
        var closing_balance_micro: Int64
    }

    struct Unconverted: Encodable {
        var report: String
        var summary: String
        var currency: String
        var amount_micro: Int64
        var lines: Int
    }

    struct LineJSON: Encodable {
        var dsp: String
        var territory: String
        var release_icpn: String
        var isrc: String
        var title: String
        var display_artist: String
        var use_type: String
        var usages: Int64
        var gross_micro: Int64
        var commission_micro: Int64
        var net_micro: Int64
    }

    struct StatementJSON: Encodable {
        var payee: String
        var period: String
        var currency: String
        var gross_micro: Int64
        var commission_micro: Int64
        var earnings_micro: Int64
        var opening_balance_micro: Int64
        var recouped_micro: Int64
        var closing_balance_micro: Int64
        var payable_micro: Int64
        var lines: [LineJSON]
    }

    struct RowJSON: Encodable {
        var name: String
        var amount_micro: Int64
        var previous_micro: Int64?
    }

    struct TrackJSON: Encodable {
        var isrc: String
        var title: String
        var display_artist: String
        var usages: Int64
        var gross_micro: Int64
    }

    struct RosterJSON: Encodable {
        var account: String
        var period: String
        var previous_period: String?
        var currency: String
        var gross_micro: Int64
        var previous_gross_micro: Int64?
        var commission_micro: Int64
        var usages: Int64
        var payees: [RowJSON]
        var dsps: [RowJSON]
        var territories: [RowJSON]
        var top_tracks: [TrackJSON]
    }

    struct UnmatchedJSON: Encodable {
        var key: String
        var isrc: String?
        var release_icpns: [String]
        var dsp_resource_id: String?
        var reason: String
        var lines: Int
        var usages: Int64
        var amount_micro: Int64
    }

    struct AccountJSON: Encodable {
        var commission_bp: Int
        var lines: Int
        var total_micro: Int64
        var commission_micro: Int64
        var payees: [String: PayeeFigures]
        var invariant_holds: Bool
    }

    struct Document: Encodable {
        var accounting_currency: String
        /// The account of a restricted set and its rate; absent for the distributor's.
        var account: String?
        var commission_bp: Int?
        var period: String
        var reports: Int
        var lines: Int
        var summaries: Int
        var total_micro: Int64
        var commission_micro: Int64
        var unmatched_micro: Int64
        var unmatched_by_isrc: [String: Int64]
        var unallocated_micro: Int64
        var payees: [String: PayeeFigures]
        var invariant_holds: Bool
        /// Per account (dsrgen `--accounts`): absent in an account's own document.
        var accounts: [String: AccountJSON]?
        var unconverted: [Unconverted]
        var warnings: [String]
        var statements: [StatementJSON]?
        var rosters: [RosterJSON]?
        var unmatched: [UnmatchedJSON]?
    }

    /// Each account's figures in dsrgen's shape, its payees' records taken from `payees`.
    static func accounts(_ set: StatementSet, _ payees: [String: PayeeFigures]) -> [String: AccountJSON] {
        var byAccount: [String: [String: PayeeFigures]] = [:]
        for (payee, figures) in payees {
            if let account = set.payeeAccounts[payee] { byAccount[account, default: [:]][payee] = figures }
        }
        var out: [String: AccountJSON] = [:]
        for figures in set.result.accountFigures {
            let own = byAccount[figures.account] ?? [:]
            let earnings = own.values.reduce(Int64(0)) { $0 &+ $1.earnings_micro }
            out[figures.account] = AccountJSON(commission_bp: figures.commissionBasisPoints, lines: figures.lines,
                                               total_micro: figures.total.micro, commission_micro: figures.commission.micro,
                                               payees: own, invariant_holds: figures.total.micro == earnings &+ figures.commission.micro)
        }
        return out
    }

    /// The JSON document; `includeStatements` adds every statement's breakdown, the overviews and the unmatched report.
    public static func render(_ set: StatementSet, includeStatements: Bool = false) throws -> Data {
        let r = set.result
        var payees: [String: PayeeFigures] = [:]
        for s in set.statements {
            let c = s.recoupment
            payees[s.payee] = PayeeFigures(earnings_micro: c.earnings.micro, opening_balance_micro: c.openingBalance.micro,
                                           recouped_micro: c.recouped.micro, payable_micro: c.payable.micro,
                                           closing_balance_micro: c.closingBalance.micro)
        }
        var unmatched: [String: Int64] = [:]
        for e in r.unmatchedEntries { unmatched[e.key] = e.amount.micro }
        var doc = Document(
            accounting_currency: r.accountingCurrency, account: set.account,
            commission_bp: set.account == nil ? nil : r.accountFigures.first?.commissionBasisPoints, period: r.period.description, reports: r.reportCount, lines: r.lineCount,
            summaries: r.summaryCount, total_micro: r.total.micro, commission_micro: r.commission.micro,
            unmatched_micro: r.unmatched.micro, unmatched_by_isrc: unmatched, unallocated_micro: r.unallocated.micro,
            payees: payees, invariant_holds: r.invariantHolds, accounts: set.account == nil ? accounts(set, payees) : nil,
            unconverted: r.unconverted.map { Unconverted(report: $0.reportId, summary: $0.summaryId, currency: $0.currency,
                                                         amount_micro: $0.netRevenue.micro, lines: $0.lines) },
            warnings: set.problems.map(\.description))
        if includeStatements {
            doc.statements = set.statements.map { s in
                StatementJSON(payee: s.payee, period: s.period.description, currency: s.currency, gross_micro: s.gross.micro,
                              commission_micro: s.commission.micro, earnings_micro: s.earnings.micro,
                              opening_balance_micro: s.recoupment.openingBalance.micro, recouped_micro: s.recoupment.recouped.micro,
                              closing_balance_micro: s.recoupment.closingBalance.micro, payable_micro: s.recoupment.payable.micro,
                              lines: s.lines.map {
                                  LineJSON(dsp: $0.dsp, territory: $0.territory, release_icpn: $0.releaseICPN, isrc: $0.isrc,
                                           title: $0.title, display_artist: $0.displayArtist, use_type: $0.useType, usages: $0.usages,
                                           gross_micro: $0.gross.micro, commission_micro: $0.commission.micro, net_micro: $0.net.micro)
                              })
            }
            doc.rosters = set.rosters.map { o in
                func rows(_ rows: [RosterOverview.Row]) -> [RowJSON] {
                    rows.map { RowJSON(name: $0.name, amount_micro: $0.amount.micro, previous_micro: $0.previous?.micro) }
                }
                return RosterJSON(account: o.account, period: o.period.description, previous_period: o.previousPeriod?.description,
                                  currency: o.currency, gross_micro: o.gross.micro, previous_gross_micro: o.previousGross?.micro,
                                  commission_micro: o.commission.micro, usages: o.usages, payees: rows(o.payees), dsps: rows(o.dsps),
                                  territories: rows(o.territories),
                                  top_tracks: o.topTracks.map { TrackJSON(isrc: $0.isrc, title: $0.title, display_artist: $0.displayArtist,
                                                                           usages: $0.usages, gross_micro: $0.gross.micro) })
            }
            doc.unmatched = set.unmatched.map {
                UnmatchedJSON(key: $0.key, isrc: $0.isrc, release_icpns: $0.releaseICPNs, dsp_resource_id: $0.dspResourceId,
                              reason: $0.reason.rawValue, lines: $0.lines, usages: $0.usages, amount_micro: $0.amount.micro)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(doc)
    }
}
