import ArgumentParser
import Ledger

/// `ddexd statements --format json|csv|html`: parsed into the ledger's own format type at the boundary, so a wrong
/// value is refused by the parser with the list of valid ones.
extension StatementFormat: ExpressibleByArgument {}
