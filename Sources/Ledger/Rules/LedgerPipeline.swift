import Foundation

/// A statement run on several threads: reader threads read and resolve the next summaries from their inputs
/// (`SummaryReader`, one per partition of the input: summary i by reader i % n) while the caller's thread applies
/// the rules (`LedgerRun`) to each summary in report order, so the result is the one a single thread gets.
///
/// Each input is touched by its reader thread only; at most `depth` summaries (or chunks of a summary too large
/// to keep) wait per reader. An error on any side stops them all, and every reader thread has finished before
/// `run` returns or throws.
enum LedgerPipeline {
    /// Summaries (or chunks) read ahead at most, per reader.
    static let depth = 3
    /// Lines per chunk of a summary too large to keep.
    static let chunkLines = 1 << 16

    enum Item: Sendable {
        case summary(ReadSummary)
        /// Lines of the last summary, which came without its lines (too large to keep).
        case chunk([ResolvedLine])
        /// The last summary's chunks are over.
        case endOfLines
        case failed(any Error)
        case finished
    }

    /// Runs `inputs` (partitions of one input, or the input alone), each read by a `SummaryReader` made by
    /// `makeReader`, into `run`.
    static func run<Input: LedgerInput>(inputs: [Input], period: StatementPeriod, makeReader: () -> SummaryReader,
                                        run: inout LedgerRun) throws
    {
        let queues = inputs.map { _ in HandoffQueue<Item>(capacity: depth) }
        let works = inputs.indices.map { ReaderWork(input: inputs[$0], reader: makeReader(), queue: queues[$0], period: period) }
        for (i, work) in works.enumerated() {
            let thread = Thread { work.read() }
            thread.name = "ddexd-ledger-reader-\(i)"
            thread.start()
        }
        defer {
            // Every reader thread must be done with its input before the inputs go back to the caller.
            for queue in queues { queue.close() }
            for work in works { work.finished.wait() }
        }
        var next = 0
        while true {
            let reader = next % queues.count
            let queue = queues[reader]
            switch queue.take() {
            case .summary(let read):
                next += 1
                if let kept = read.lines ?? (read.isUnconverted ? [] : nil) {
                    try run.apply(read, reader: reader) { body in for line in kept { try body(line) } }
                } else {
                    try run.apply(read, reader: reader) { body in
                        while true {
                            switch queue.take() {
                            case .chunk(let lines): for line in lines { try body(line) }
                            case .endOfLines: return
                            case .failed(let error): throw error
                            case .summary, .finished, nil: throw LedgerError(.ledgerInputInconsistent, at: read.place, "the summary's lines ended early")
                            }
                        }
                    }
                }
            case .failed(let error):
                throw error
            case .finished, nil:
                // Reader `reader` has no more summaries; being next in turn, nor has any other.
                return
            case .chunk, .endOfLines:
                throw LedgerError(.ledgerInputInconsistent, at: "statement run \(period)", "lines arrived without their summary")
            }
        }
    }

    /// What a reader thread owns while it runs; the caller reads nothing of it but `finished`.
    private final class ReaderWork<Input: LedgerInput>: @unchecked Sendable {
        let input: Input
        var reader: SummaryReader
        let queue: HandoffQueue<Item>
        let period: StatementPeriod
        let finished = DispatchSemaphore(value: 0)

        init(input: Input, reader: SummaryReader, queue: HandoffQueue<Item>, period: StatementPeriod) {
            self.input = input
            self.reader = reader
            self.queue = queue
            self.period = period
        }

        func read() {
            defer { finished.signal() }
            do {
                try input.forEachSummary(in: period) { summary, lines in
                    let read = try reader.read(summary, lines)
                    guard queue.put(.summary(read)) else { throw CancellationError() }
                    guard read.lines == nil, !read.isUnconverted else { return }
                    var chunk: [ResolvedLine] = []
                    chunk.reserveCapacity(LedgerPipeline.chunkLines)
                    try reader.reread(read, lines) { line in
                        chunk.append(line)
                        if chunk.count == LedgerPipeline.chunkLines {
                            guard queue.put(.chunk(chunk)) else { throw CancellationError() }
                            chunk.removeAll(keepingCapacity: true)
                        }
                    }
                    guard queue.put(.chunk(chunk)), queue.put(.endOfLines) else { throw CancellationError() }
                }
                _ = queue.put(.finished)
            } catch is CancellationError {
                // The rules stopped first; their error is the one reported.
            } catch {
                _ = queue.put(.failed(error))
            }
        }
    }
}

/// A bounded queue between two threads: `put` waits while it is full, `take` while it is empty; `close` wakes
/// both for good (`put` then returns false, `take` nil once drained... or at once: the taker is gone).
final class HandoffQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Adds `item`, waiting for room; false when the queue was closed.
    func put(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed, items.count - head >= capacity { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting for one; nil when the queue was closed.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while !closed, head == items.count { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// Wakes both sides for good: the taker stops taking, a waiting putter returns false.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
