import DDEXModel

extension LedgerRun {
    /// The result, once every summary is applied.
    mutating func finish() throws -> LedgerResult {
        try checkInvariant()
        var payeeByAccount = options.collectDetail ? Array(repeating: [Int64](repeating: 0, count: engine.payees.count), count: engine.accounts.count) : []
        let breakdown = options.collectDetail ? makeBreakdown(payeeByAccount: &payeeByAccount) : nil
        var payeeResults: [PayeeEarnings] = []
        payeeResults.reserveCapacity(engine.payees.count)
        for p in 0..<engine.payees.count {
            let name = engine.payees[Int32(p)]
            payeeResults.append(PayeeEarnings(payee: name, earnings: MicroAmount(micro: accumulator.earnings[p]),
                                              commission: MicroAmount(micro: accumulator.payeeCommission[p]),
                                              lines: options.linesInResult ? breakdown?.lines(for: name) ?? [] : []))
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
                for t in engine.tracks.indices where accumulator.trackSeen[t] && engine.tracks[t].account == Int32(a) {
                    let track = engine.tracks[t]
                    byTrack[track.isrc] = TrackActivity(isrc: track.isrc, title: track.title, displayArtist: track.displayArtist,
                                                        gross: MicroAmount(micro: accumulator.trackGross[t]), usages: accumulator.trackUsages[t])
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
                            summaryCount: outcomes.count, lineCount: lineCount, total: MicroAmount(micro: accumulator.total),
                            commission: MicroAmount(micro: accumulator.commission), unmatched: MicroAmount(micro: accumulator.unmatched),
                            unallocated: MicroAmount(micro: unallocated), payees: payeeResults,
                            unmatchedEntries: tallied().sorted { $0.key < $1.key }, summaries: outcomes,
                            accounts: accountResults, breakdown: breakdown, accountFigures: try accountFigures(), payeeAccounts: engine.payeeAccounts,
                            problems: problems)
    }
}

extension LedgerRun {
    /// The run's breakdown, compact: the table's rows grouped by payee (a counting sort), each payee's rows sorted
    /// by the integer ranks of their names (comparing strings per row is slow at millions of rows). Adds each
    /// row's net to its payee's part of its track's account.
    private mutating func makeBreakdown(payeeByAccount: inout [[Int64]]) -> LedgerBreakdown {
        func ranks(_ names: [String]) -> [Int32] {
            var rank = [Int32](repeating: 0, count: names.count)
            for (r, i) in names.indices.sorted(by: { names[$0] < names[$1] }).enumerated() { rank[i] = Int32(r) }
            return rank
        }
        let dspRank = ranks(dsps.names), territoryRank = ranks(territories.names), releaseRank = ranks(releases.names)
        let useTypeRank = ranks(useTypes.names), trackRank = ranks(engine.tracks.map(\.isrc))
        let entries = accumulator.breakdown.takeEntries()
        var offsets = [Int](repeating: 0, count: engine.payees.count + 1)
        for e in entries { offsets[Int(e.key.payee) + 1] += 1 }
        for p in 0..<engine.payees.count { offsets[p + 1] += offsets[p] }
        var next = offsets
        var rows = [LedgerBreakdown.Row](repeating: LedgerBreakdown.Row(dsp: 0, territory: 0, release: 0, track: 0, useType: 0, usages: 0,
                                                                       commission: 0, net: 0), count: entries.count)
        for e in entries {
            let k = e.key
            rows[next[Int(k.payee)]] = LedgerBreakdown.Row(dsp: k.dsp, territory: k.territory, release: k.release, track: k.track,
                                                           useType: k.useType, usages: e.usages, commission: e.commission, net: e.net)
            next[Int(k.payee)] += 1
            payeeByAccount[Int(accumulator.account(of: k.track))][Int(k.payee)] &+= e.net
        }
        for p in 0..<engine.payees.count {
            rows[offsets[p]..<offsets[p + 1]].sort { x, y in
                if x.dsp != y.dsp { return dspRank[Int(x.dsp)] < dspRank[Int(y.dsp)] }
                if x.territory != y.territory { return territoryRank[Int(x.territory)] < territoryRank[Int(y.territory)] }
                if x.release != y.release { return releaseRank[Int(x.release)] < releaseRank[Int(y.release)] }
                if x.track != y.track { return trackRank[Int(x.track)] < trackRank[Int(y.track)] }
                return useTypeRank[Int(x.useType)] < useTypeRank[Int(y.useType)]
            }
        }
        var payeeIds: [String: Int32] = [:]
        for p in 0..<engine.payees.count { payeeIds[engine.payees[Int32(p)]] = Int32(p) }
        return LedgerBreakdown(rows: rows, offsets: offsets, payeeIds: payeeIds, dsps: dsps.names, territories: territories.names,
                               releases: releases.names, useTypes: useTypes.names,
                               tracks: engine.tracks.map { LedgerBreakdown.Track(isrc: $0.isrc, title: $0.title, displayArtist: $0.displayArtist) })
    }

    /// 7. The invariant, from independent sums: converted summaries = payee shares + commission + unmatched +
    /// unallocated, or no statement.
    private func checkInvariant() throws {
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

    }

    /// The unmatched entries with the run's tallies.
    private func tallied() -> [UnmatchedEntry] {
        unmatchedEntries.enumerated().map { e, entry in
            var entry = entry
            let tally = unmatchedTallies[e]
            entry.lines = tally.lines
            entry.usages = tally.usages
            entry.amount = MicroAmount(micro: tally.amount)
            entry.releaseICPNs = tally.releases.map { releases[$0] }
            return entry
        }
    }

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

