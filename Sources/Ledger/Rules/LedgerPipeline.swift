import Foundation

/// A statement run on several threads: reader threads read and resolve summaries from their inputs
/// (`SummaryReader`; the inputs are partitions serving the same summaries, and each summary is read by the first
/// reader free to take it) while the caller's thread applies the rules (`LedgerRun`) to each summary in report
/// order, so the result is the one a single thread gets.
///
/// Each input is touched by its reader thread only. Readers take summaries at most `window` ahead of the rules,
/// and at most `depth` chunks of a summary too large to keep wait, so memory stays bounded. An error on any side
/// stops them all, and every reader thread has finished before `run` returns or throws.
enum LedgerPipeline {
    /// Chunks of one summary waiting at most.
    static let depth = 3
    /// Lines per chunk of a summary too large to keep.
    static let chunkLines = 1 << 16

    enum Item: Sendable {
        case summary(ReadSummary)
        /// Lines of a summary that came without them (too large to keep).
        case chunk([ResolvedLine])
        /// That summary's chunks are over.
        case endOfLines
    }

    /// Runs `inputs` (partitions of one input, or the input alone), each read by a `SummaryReader` made by
    /// `makeReader`, into `run`.
    static func run<Input: LedgerInput>(inputs: [Input], period: StatementPeriod, makeReader: () -> SummaryReader,
                                        run: inout LedgerRun) throws
    {
        let exchange = SummaryExchange(readers: inputs.count, window: inputs.count + 1, depth: depth)
        let works: [ReaderThreadWork] = inputs.indices.map {
            ReaderWork(index: $0, input: inputs[$0], reader: makeReader(), exchange: exchange, period: period)
        }
        for work in works {
            let thread = Thread { work.read() }
            thread.name = "ddexd-ledger-reader-\(work.index)"
            thread.start()
        }
        defer {
            // Every reader thread must be done with its input before the inputs go back to the caller.
            exchange.close()
            for work in works { work.finished.wait() }
        }
        var next = 0
        while let (reader, item) = try exchange.take(next) {
            guard case .summary(let read) = item else {
                throw LedgerError(.ledgerInputInconsistent, at: "statement run \(period)", "lines arrived without their summary")
            }
            if let kept = read.lines ?? (read.isUnconverted ? [] : nil) {
                try run.apply(read, reader: reader) { body in for line in kept { try body(line) } }
            } else {
                try run.apply(read, reader: reader) { body in
                    while let (_, item) = try exchange.take(next) {
                        switch item {
                        case .chunk(let lines): for line in lines { try body(line) }
                        case .endOfLines: return
                        case .summary: break
                        }
                    }
                    throw LedgerError(.ledgerInputInconsistent, at: read.place, "the summary's lines ended early")
                }
            }
            next += 1
        }
    }

    /// What a thread runs: a non-generic face of `ReaderWork`, so the thread's closure captures no generic type.
    private class ReaderThreadWork: @unchecked Sendable {
        let index: Int
        let finished = DispatchSemaphore(value: 0)

        init(index: Int) { self.index = index }

        func read() {}
    }

    /// What a reader thread owns while it runs; the caller reads nothing of it but `finished`.
    private final class ReaderWork<Input: LedgerInput>: ReaderThreadWork, @unchecked Sendable {
        let input: Input
        var reader: SummaryReader
        let exchange: SummaryExchange
        let period: StatementPeriod

        init(index: Int, input: Input, reader: SummaryReader, exchange: SummaryExchange, period: StatementPeriod) {
            self.input = input
            self.reader = reader
            self.exchange = exchange
            self.period = period
            super.init(index: index)
        }

        override func read() {
            defer { finished.signal() }
            var summaryIndex = 0
            do {
                try input.forEachSummary(in: period) { summary, lines in
                    let i = summaryIndex
                    summaryIndex += 1
                    guard try exchange.claim(i) else { return }
                    let read = try reader.read(summary, lines)
                    try exchange.put(i, reader: index, .summary(read))
                    guard read.lines == nil, !read.isUnconverted else { return }
                    var chunk: [ResolvedLine] = []
                    chunk.reserveCapacity(LedgerPipeline.chunkLines)
                    try reader.reread(read, lines) { line in
                        chunk.append(line)
                        if chunk.count == LedgerPipeline.chunkLines {
                            try exchange.put(i, reader: index, .chunk(chunk))
                            chunk.removeAll(keepingCapacity: true)
                        }
                    }
                    try exchange.put(i, reader: index, .chunk(chunk))
                    try exchange.put(i, reader: index, .endOfLines)
                }
                exchange.finish(count: summaryIndex)
            } catch is CancellationError {
                // The run stopped first; its error is the one reported.
            } catch {
                exchange.fail(error)
            }
        }
    }
}

/// Where a run's readers hand summaries to its rules: each summary (by its index in report order) is claimed by
/// one reader, no more than `window` ahead of the one the rules wait for, and its items are taken in order.
final class SummaryExchange: @unchecked Sendable {
    private let condition = NSCondition()
    private let readers: Int
    private let window: Int
    private let depth: Int
    private var nextUnclaimed = 0
    /// The summary the rules take from.
    private var current = 0
    private var items: [Int: (reader: Int, queue: [LedgerPipeline.Item])] = [:]
    /// The number of summaries, once a reader has seen them all.
    private var count: Int?
    private var failure: (any Error)?
    private var closed = false

    init(readers: Int, window: Int, depth: Int) {
        self.readers = readers
        self.window = window
        self.depth = depth
    }

    /// Whether summary `i` is this reader's to read (the first to ask gets it), waiting while it is more than the
    /// window ahead of the rules. Throws `CancellationError` once the run stopped.
    func claim(_ i: Int) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed, failure == nil, i >= nextUnclaimed, i >= current + window { condition.wait() }
        guard !closed, failure == nil else { throw CancellationError() }
        guard i >= nextUnclaimed else { return false }
        nextUnclaimed = i + 1
        return true
    }

    /// Adds an item of summary `i`, waiting while `depth` of its items wait already (unless the rules need them
    /// now). Throws `CancellationError` once the run stopped.
    func put(_ i: Int, reader: Int, _ item: LedgerPipeline.Item) throws {
        condition.lock()
        defer { condition.unlock() }
        while !closed, failure == nil, (items[i]?.queue.count ?? 0) >= depth, i != current { condition.wait() }
        guard !closed, failure == nil else { throw CancellationError() }
        items[i, default: (reader, [])].queue.append(item)
        condition.broadcast()
    }

    /// The next item of summary `i` and its reader, waiting for it; nil when there are only `i` summaries.
    /// Throws a reader's error.
    func take(_ i: Int) throws -> (Int, LedgerPipeline.Item)? {
        condition.lock()
        defer { condition.unlock() }
        if i != current {
            items[current] = nil
            current = i
            condition.broadcast()
        }
        while true {
            if let failure { throw failure }
            if let entry = items[i], !entry.queue.isEmpty {
                items[i]!.queue.removeFirst()
                condition.broadcast()
                return (entry.reader, entry.queue[0])
            }
            if let count, i >= count { return nil }
            if closed { return nil }
            condition.wait()
        }
    }

    /// A reader has seen every summary: there are `count`.
    func finish(count: Int) {
        condition.lock()
        self.count = count
        condition.broadcast()
        condition.unlock()
    }

    /// A reader failed: the rules get its error, the other readers stop.
    func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// The run is over: every reader stops at its next step.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
