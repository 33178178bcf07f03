import DDEXModel

/// The rules that turn a SQL store's `ledger_*` rows back into `LedgerReferenceData`, the same on SQLite and
/// PostgreSQL: each stored identifier parsed again (the imports validated it, so a failure means the store was
/// edited by hand), split rows grouped by ISRC, a payee's accounts checked. Each engine reads the rows in the order
/// its queries promise and hands them over one by one.
package struct LedgerReferenceRows {
    package private(set) var data = LedgerReferenceData()
    private var lastSplitISRC: String?

    package init() {}

    /// A `ledger_catalogue` row; rows come ordered by ICPN, then ISRC.
    package mutating func catalogue(icpn: String?, isrc: String?, title: String?, displayArtist: String?, account: String?) throws {
        let place = "ledger_catalogue"
        data.catalogue.append(CatalogueEntry(icpn: try Self.identifier(icpn, place, ICPN.init(validating:)),
                                             isrc: try Self.identifier(isrc, place, ISRC.init(validating:)),
                                             title: title ?? "", displayArtist: displayArtist ?? "",
                                             account: account ?? CatalogueEntry.defaultAccount))
    }

    /// A `ledger_splits` row; rows come ordered by ISRC, then position (the split's order, which decides ties).
    package mutating func splitShare(isrc: String?, payee: String?, basisPoints: Int) throws {
        let isrcText = isrc ?? ""
        let share = PayeeShare(payee: payee ?? "", basisPoints: basisPoints)
        if isrcText == lastSplitISRC, !data.splits.isEmpty {
            data.splits[data.splits.count - 1].shares.append(share)
        } else {
            data.splits.append(Split(isrc: try Self.identifier(isrcText, "ledger_splits", ISRC.init(validating:)), shares: [share]))
            lastSplitISRC = isrcText
        }
    }

    /// A `ledger_rates` row; rows come ordered by currency, then period.
    package mutating func rate(currency: String?, period: String?, rate: String?) throws {
        let place = "ledger_rates"
        data.rates.append(RateEntry(currency: currency ?? "", period: try Self.identifier(period, place, StatementPeriod.init(parsing:)),
                                    rate: try Self.identifier(rate, place, ExchangeRate.init(parsing:))))
    }

    /// A `ledger_accounts` row; rows come ordered by account.
    package mutating func account(name: String?, commissionBasisPoints: Int) {
        data.accounts.append(LedgerAccount(name: name ?? "", commissionBasisPoints: commissionBasisPoints))
    }

    /// A distinct (payee, account) of `ledger_advances` with an account; rows come ordered by payee. A payee whose
    /// advances name two accounts throws `LEDGER_ACCOUNT_CONFLICT`.
    package mutating func payeeAccount(payee: String?, account: String?) throws {
        let payee = payee ?? "", account = account ?? ""
        if let known = data.payeeAccounts[payee], known != account {
            throw LedgerError(.ledgerAccountConflict, at: "advances: \(payee)",
                              "the payee's advances name accounts \(known) and \(account); a payee belongs to one account")
        }
        data.payeeAccounts[payee] = account
    }

    /// A `ledger_resource_mappings` row; rows come ordered by ICPN, then resource id.
    package mutating func resourceMapping(icpn: String?, dspResourceId: String?, isrc: String?) throws {
        data.resourceMappings.append(ResourceMapping(icpn: icpn ?? "", dspResourceId: dspResourceId ?? "",
                                                     isrc: try Self.identifier(isrc, "ledger_resource_mappings", ISRC.init(validating:))))
    }

    /// A stored value parsed back; the imports validated it, so a failure means the store was edited by hand.
    private static func identifier<T>(_ text: String?, _ table: String, _ parse: (String) throws(IdentifierError) -> T) throws -> T {
        do { return try parse(text ?? "") } catch {
            throw LedgerError(.ledgerInputInconsistent, at: table, "the stored value is invalid: \(error.description)")
        }
    }
}

extension Split {
    /// Throws `LEDGER_SPLIT_SUM` unless the shares sum to 10000 bp: what every store checks before it writes a split.
    package func checkSum() throws {
        let total = shares.reduce(0) { $0 + $1.basisPoints }
        guard total == 10_000 else {
            throw LedgerError(.ledgerSplitSum, at: "splits: \(isrc)", "the shares sum to \(total) bp, not 10000")
        }
    }
}
