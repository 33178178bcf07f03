import DDEXModel

extension LedgerEngine {
    /// The account of every payee: the account of the tracks whose splits name it, else the one its advances name,
    /// else the only account when there is just one. A payee in the splits of two accounts' tracks, or advanced by
    /// another account than its tracks', is refused: a payee, its advances and its recoupment stay in one account
    /// (ACCOUNTING.md §5, §6), so no account's statement can show another's money.
    func resolvePayeeAccounts(_ reference: LedgerReferenceData) throws -> [String: String] {
        var result: [String: String] = [:]
        var evidence: [String: String] = [:]
        for split in reference.splits {
            guard let t = isrcIndex[split.isrc.value] else { continue }
            let account = accounts[tracks[Int(t)].account]
            for share in split.shares {
                if let known = result[share.payee], known != account {
                    throw LedgerError(.ledgerAccountConflict, at: "splits: \(split.isrc)",
                                      "payee '\(share.payee)' is in account \(known) (\(evidence[share.payee] ?? "")) and in account \(account) (the split of \(split.isrc)); a payee belongs to one account")
                }
                result[share.payee] = account
                evidence[share.payee] = evidence[share.payee] ?? "the split of \(split.isrc)"
            }
        }
        for (payee, account) in reference.payeeAccounts.sorted(by: { $0.key < $1.key }) {
            if let known = result[payee], known != account {
                throw LedgerError(.ledgerAccountConflict, at: "advances: \(payee)",
                                  "the advance of '\(payee)' is in account \(account), but the payee's tracks are in account \(known) (\(evidence[payee] ?? "")); an advance is recouped within its payee's account")
            }
            result[payee] = account
        }
        if accounts.count == 1 {
            let only = accounts[0]
            for name in payees.names where result[name] == nil { result[name] = only }
        }
        return result
    }
}
