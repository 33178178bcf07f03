import DDEXModel

extension LedgerRun {
    mutating func finish() throws -> LedgerResult {
        // 7. The invariant, from independent sums.
        let total = accumulator.total, commission = accumulator.commission, unmatched = accumulator.unmatched
        var shares: Int64 = 0
        for e in accumulator.earnings { try Self.add(&shares, e, "the sum of payee shares", at: location) }
        var right = shares
        try Self.add(&right, commission, "shares + commission", at: location)
        try Self.add(&right, unmatched, "shares + commission + unmatched", at: location)
        try Self.add(&right, unallocated, "shares + commission + unmatched + unallocated", at: location)
        guard right == total else {
            throw LedgerError(.ledgerInvariantBroken, at: location,
                              "Σ converted summaries \(MicroAmount(micro: total)) ≠ payee shares \(MicroAmount(micro: shares)) + commission \(MicroAmount(micro: commission)) + unmatched \(MicroAmount(micro: unmatched)) + unallocated \(MicroAmount(micro: unallocated)) (difference \(total &- right) micro-units); no statement is produced")
        }

        // The breakdown: sorted by integer ranks of the interned names (comparing strings per row is slow at
        // millions of rows), converted payee by payee, each payee's dictionary freed as soon as it is read.
        func ranks(_ names: [String]) -> [Int32] {
            var rank = [Int32](repeating: 0, count: names.count)
            for (r, i) in names.indices.sorted(by: { names[$0] < names[$1] }).enumerated() { rank[i] = Int32(r) }
            return rank
        }
        let dspRank = ranks(dsps.names), territoryRank = ranks(territories.names), releaseRank = ranks(resolver.releases.names)
        let useTypeRank = ranks(resolver.useTypes.names), trackRank = options.collectDetail ? ranks(engine.tracks.map(\.isrc)) : []
        var payeeByAccount = options.collectDetail ? Array(repeating: [Int64](repeating: 0, count: engine.payees.count), count: engine.accounts.count) : []

        var payeeResults: [PayeeEarnings] = []
        payeeResults.reserveCapacity(engine.payees.count)
        var rows: [LedgerBreakdown.Row] = []
        var offsets: [Int] = [0]
        for p in 0..<engine.payees.count {
            var lines: [EarningsLine] = []
            if options.collectDetail {
                let first = rows.count
                for (key, value) in accumulator.detail[p] {
                    payeeByAccount[Int(accumulator.account(of: key.track))][p] &+= value.net
                    rows.append(LedgerBreakdown.Row(dsp: key.dsp, territory: key.territory, release: key.release, track: key.track,
                                                    useType: key.useType, usages: value.usages, commission: value.commission, net: value.net))
                }
                accumulator.detail[p] = [:]
                rows[first...].sort { x, y in
                    if x.dsp != y.dsp { return dspRank[Int(x.dsp)] < dspRank[Int(y.dsp)] }
                    if x.territory != y.territory { return territoryRank[Int(x.territory)] < territoryRank[Int(y.territory)] }
                    if x.release != y.release { return releaseRank[Int(x.release)] < releaseRank[Int(y.release)] }
                    if x.track != y.track { return trackRank[Int(x.track)] < trackRank[Int(y.track)] }
                    return useTypeRank[Int(x.useType)] < useTypeRank[Int(y.useType)]
                }
                offsets.append(rows.count)
            }
            payeeResults.append(PayeeEarnings(payee: engine.payees[Int32(p)], earnings: MicroAmount(micro: accumulator.earnings[p]),
                                              commission: MicroAmount(micro: accumulator.payeeCommission[p]), lines: lines))
        }
        var breakdown: LedgerBreakdown?
        if options.collectDetail {
            var payeeIds: [String: Int32] = [:]
            for p in 0..<engine.payees.count { payeeIds[engine.payees[Int32(p)]] = Int32(p) }
            breakdown = LedgerBreakdown(rows: rows, offsets: offsets, payeeIds: payeeIds, dsps: dsps.names, territories: territories.names,
                                        releases: resolver.releases.names, useTypes: resolver.useTypes.names,
                                        tracks: engine.tracks.map { LedgerBreakdown.Track(isrc: $0.isrc, title: $0.title, displayArtist: $0.displayArtist) })
            if options.linesInResult {
                for p in payeeResults.indices { payeeResults[p].lines = breakdown!.lines(for: payeeResults[p].payee) }
            }
        }
        payeeResults.sort { $0.payee < $1.payee }

        var accountResults: [AccountActivity] = []
        if options.collectDetail {
            var byPayee = Array(repeating: [String: MicroAmount](), count: engine.accounts.count)
            for a in 0..<engine.accounts.count {
                for p in 0..<engine.payees.count where payeeByAccount[a][p] != 0 {
                    byPayee[a][engine.payees[Int32(p)]] = MicroAmount(micro: payeeByAccount[a][p])
                }
            }
            for a in 0..<engine.accounts.count {
                let totals = accumulator.accountTotals[a]
                var byTrack: [String: TrackActivity] = [:]
                for (t, v) in totals.byTrack {
                    let track = engine.tracks[Int(t)]
                    byTrack[track.isrc] = TrackActivity(isrc: track.isrc, title: track.title, displayArtist: track.displayArtist,
                                                        gross: MicroAmount(micro: v.gross), usages: v.usages)
                }
                accountResults.append(AccountActivity(
                    account: engine.accounts[Int32(a)], gross: MicroAmount(micro: totals.gross),
                    commission: MicroAmount(micro: totals.commission), usages: totals.usages,
                    byDSP: Dictionary(uniqueKeysWithValues: totals.byDSP.map { (dsps[$0.key], MicroAmount(micro: $0.value)) }),
                    byTerritory: Dictionary(uniqueKeysWithValues: totals.byTerritory.map { (territories[$0.key], MicroAmount(micro: $0.value)) }),
                    byMonth: Dictionary(uniqueKeysWithValues: totals.byMonth.map { (months[$0.key], MicroAmount(micro: $0.value)) }),
                    byTrack: byTrack, byPayee: byPayee[a]))
            }
            accountResults.sort { $0.account < $1.account }
        }

        return LedgerResult(period: period, accountingCurrency: engine.settings.accountingCurrency, reportCount: reportIds.count,
                            summaryCount: outcomes.count, lineCount: lineCount, total: MicroAmount(micro: total),
                            commission: MicroAmount(micro: commission), unmatched: MicroAmount(micro: unmatched),
                            unallocated: MicroAmount(micro: unallocated), payees: payeeResults,
                            unmatchedEntries: resolver.unmatched.sorted { $0.key < $1.key }, summaries: outcomes,
                            accounts: accountResults, breakdown: breakdown, accountFigures: try accountFigures(), payeeAccounts: engine.payeeAccounts,
                            problems: problems)
    }
}

extension LedgerRun {
    /// Every account's figures, in name order, each checked: its lines' amounts = its payees' shares + its commission.
    private func accountFigures() throws -> [AccountFigures] {
        var payeesOf: [String: [String]] = [:]
        for (payee, account) in engine.payeeAccounts { payeesOf[account, default: []].append(payee) }
        var shares = Array(repeating: Int64(0), count: engine.accounts.count)
        for p in 0..<engine.payees.count {
            guard let account = engine.payeeAccounts[engine.payees[Int32(p)]], let a = engine.accounts.existing(account) else { continue }
            shares[Int(a)] &+= accumulator.earnings[p]
        }
        var figures: [AccountFigures] = []
        for a in 0..<engine.accounts.count {
            let name = engine.accounts[Int32(a)]
            guard shares[a] &+ accumulator.accountCommission[a] == accumulator.accountTotal[a] else {
                throw LedgerError(.ledgerInvariantBroken, at: location,
                                  "account \(name): its lines' amounts \(MicroAmount(micro: accumulator.accountTotal[a])) ≠ its payees' shares \(MicroAmount(micro: shares[a])) + its commission \(MicroAmount(micro: accumulator.accountCommission[a])); no statement is produced")
            }
            figures.append(AccountFigures(account: name, commissionBasisPoints: engine.settings.commission.basisPoints(account: name, dsp: ""),
                                          lines: accumulator.accountLines[a], total: MicroAmount(micro: accumulator.accountTotal[a]),
                                          commission: MicroAmount(micro: accumulator.accountCommission[a]),
                                          payees: (payeesOf[name] ?? []).sorted()))
        }
        return figures.sorted { $0.account < $1.account }
    }
}

