import ArgumentParser
import Ledger

extension StatementPeriod {
    /// `--period` as a typed option. It is parsed through this transform rather than `ExpressibleByArgument`,
    /// whose `init?(argument:)` can only fail without a reason: the parser prints the thrown error after "The value
    /// '2026-13' is invalid for '--period <period>':", so the operator still reads which forms are valid.
    static func argument(_ text: String) throws -> StatementPeriod {
        try StatementPeriod(parsing: text)
    }
}
