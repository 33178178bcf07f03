import DDEXModel
import Ledger

/// A `LedgerStore` in memory, for the engine tests that need no database.
final class InMemoryLedgerStore: LedgerStore {
    private var catalogue: [CatalogueEntry] = []
    private var catalogueIndex: [String: Int] = [:]
    private var splits: [Ledger.Split] = []
    private var splitIndex: [ISRC: Int] = [:]
    private var advanceList: [Advance] = []
    private var rates: [RateEntry] = []
    private var mappings: [ResourceMapping] = []
    private var accounts: [LedgerAccount] = []
    private var recoupments: [StatementPeriod: [String: MicroAmount]] = [:]

    init() {}

    func referenceData() throws -> LedgerReferenceData {
        var payeeAccounts: [String: String] = [:]
        for advance in advanceList { if let account = advance.account { payeeAccounts[advance.payee] = account } }
        return LedgerReferenceData(catalogue: catalogue, splits: splits, rates: rates, resourceMappings: mappings,
                                   accounts: accounts, payeeAccounts: payeeAccounts)
    }

    func advances() throws -> [Advance] { advanceList }

    func recouped(before period: StatementPeriod) throws -> [String: MicroAmount] {
        var total: [String: MicroAmount] = [:]
        for (p, amounts) in recoupments where p.end < period.start {
            for (payee, amount) in amounts { total[payee, default: .zero] += amount }
        }
        return total
    }

    func importCatalogue(_ entries: [CatalogueEntry]) throws {
        for entry in entries {
            let key = entry.icpn.value + "/" + entry.isrc.value
            if let i = catalogueIndex[key] { catalogue[i] = entry } else {
                catalogueIndex[key] = catalogue.count
                catalogue.append(entry)
            }
        }
    }

    func importSplits(_ new: [Ledger.Split]) throws {
        for split in new {
            if let i = splitIndex[split.isrc] { splits[i] = split } else {
                splitIndex[split.isrc] = splits.count
                splits.append(split)
            }
        }
    }

    func importAdvances(_ new: [Advance]) throws {
        let payees = Set(new.map(\.payee))
        advanceList.removeAll { payees.contains($0.payee) }
        advanceList.append(contentsOf: new)
    }

    func importAccounts(_ new: [LedgerAccount]) throws {
        for account in new {
            accounts.removeAll { $0.name == account.name }
            accounts.append(account)
        }
    }

    func importRates(_ new: [RateEntry]) throws {
        for rate in new {
            rates.removeAll { $0.currency == rate.currency && $0.period == rate.period }
            rates.append(rate)
        }
    }

    func importResourceMappings(_ new: [ResourceMapping]) throws {
        for m in new {
            mappings.removeAll { $0.icpn == m.icpn && $0.dspResourceId == m.dspResourceId }
            mappings.append(m)
        }
    }

    func recordRecoupment(period: StatementPeriod, recouped: [String: MicroAmount]) throws {
        recoupments[period] = recouped
    }
}
