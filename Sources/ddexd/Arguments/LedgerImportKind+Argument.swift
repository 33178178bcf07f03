import ArgumentParser
import Ledger

/// `ddexd import catalog|splits|advances|rates|accounts`: the kind is the ledger's own type from the parser on, and a
/// wrong one is refused with the list of valid ones.
extension LedgerImportKind: ExpressibleByArgument {}
