/// A type-erased `LedgerInput`, for code that picks its input at run time (the CLI). The erasure costs one
/// indirect call per summary and per line walk, not per line.
public struct AnyLedgerInput: LedgerInput {
    /// The lines of one summary, behind the same erasure as the input.
    public struct Lines: LineSequence {
        let walk: ((UsageLine) throws -> Void) throws -> Void
        let cells: ((LineCells, () -> LineTextCells) throws -> Void) throws -> Void

        public func forEachLine(_ body: (UsageLine) throws -> Void) throws { try walk(body) }
        public func forEachCells(_ body: (LineCells, () -> LineTextCells) throws -> Void) throws { try cells(body) }
    }

    private let summaries: (StatementPeriod, (SummaryInput, Lines) throws -> Void) throws -> Void
    private let split: (Int, StatementPeriod) throws -> [AnyLedgerInput]?

    public init<Input: LedgerInput>(_ input: Input) {
        split = { count, period in
            guard let parts = try input.partitions(count, in: period) else { return nil }
            return parts.map { AnyLedgerInput($0) }
        }
        summaries = { period, body in
            try input.forEachSummary(in: period) { summary, lines in
                try body(summary, Lines(walk: { try lines.forEachLine($0) }, cells: { try lines.forEachCells($0) }))
            }
        }
    }

    public func forEachSummary(in period: StatementPeriod, _ body: (SummaryInput, Lines) throws -> Void) throws {
        try summaries(period, body)
    }

    public func partitions(_ count: Int, in period: StatementPeriod) throws -> [AnyLedgerInput]? {
        try split(count, period)
    }
}
