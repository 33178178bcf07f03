import DDEXModel

extension ProblemCode {
    // Imports (catalog.csv, splits.csv, advances.csv, rates.csv).
    public static let ledgerCSVMalformed: ProblemCode = "LEDGER_CSV_MALFORMED"
    public static let ledgerCSVHeader: ProblemCode = "LEDGER_CSV_HEADER"
    public static let ledgerDuplicateRow: ProblemCode = "LEDGER_DUPLICATE_ROW"
    public static let ledgerSplitSum: ProblemCode = "LEDGER_SPLIT_SUM"
    public static let ledgerShareInvalid: ProblemCode = "LEDGER_SHARE_INVALID"
    public static let ledgerPayeeInvalid: ProblemCode = "LEDGER_PAYEE_INVALID"
    public static let ledgerCurrencyInvalid: ProblemCode = "LEDGER_CURRENCY_INVALID"
    public static let ledgerAdvanceNegative: ProblemCode = "LEDGER_ADVANCE_NEGATIVE"
    public static let rateInvalid: ProblemCode = "LEDGER_RATE_INVALID"
    public static let periodInvalid: ProblemCode = "LEDGER_PERIOD_INVALID"
    public static let ledgerFileUnreadable: ProblemCode = "LEDGER_FILE_UNREADABLE"
    /// An account name that cannot also be a folder name, or `--account` naming an account the ledger lacks.
    public static let ledgerAccountInvalid: ProblemCode = "LEDGER_ACCOUNT_INVALID"
    /// A payee in the splits of tracks of two accounts, or advanced by one account and paid by another's tracks.
    public static let ledgerAccountConflict: ProblemCode = "LEDGER_ACCOUNT_CONFLICT"

    // Statement runs.
    /// Σ converted summaries ≠ Σ payee shares + commission + unmatched + unallocated: a bug, the run stops.
    public static let ledgerInvariantBroken: ProblemCode = "LEDGER_INVARIANT_BROKEN"
    public static let ledgerAmountOverflow: ProblemCode = "LEDGER_AMOUNT_OVERFLOW"
    /// The input changed between two passes over a summary's lines, or holds impossible values.
    public static let ledgerInputInconsistent: ProblemCode = "LEDGER_INPUT_INCONSISTENT"
    /// Warning: the lines of a summary do not add up to its TotalUsages; allocation uses the lines.
    public static let ledgerUsageMismatch: ProblemCode = "LEDGER_USAGE_MISMATCH"
    /// Warning: a summary in a foreign currency has no rate; it is held unconverted.
    public static let ledgerSummaryUnconverted: ProblemCode = "LEDGER_SUMMARY_UNCONVERTED"
    /// Warning: an advance is in another currency than the accounting currency and is not applied.
    public static let ledgerAdvanceCurrency: ProblemCode = "LEDGER_ADVANCE_CURRENCY"
    public static let ledgerStoreUnavailable: ProblemCode = "LEDGER_STORE_UNAVAILABLE"
}

/// A ledger failure with a stable code: an import that rejected its file, or a run that stopped.
public struct LedgerError: CodedError, Sendable {
    public var problems: [Problem]

    public init(problems: [Problem]) {
        precondition(!problems.isEmpty)
        self.problems = problems
    }

    public init(_ code: ProblemCode, at location: String, _ message: String) {
        self.problems = [.error(code, at: location, message)]
    }

    public var code: String { problems[0].code.rawValue }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
