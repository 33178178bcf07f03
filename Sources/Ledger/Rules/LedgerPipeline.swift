import Foundation

/// A statement run on two threads: a reader thread reads and resolves the next summaries from the input
/// (`SummaryReader`) while the caller's thread applies the rules to the previous ones (`LedgerRun`), in report
/// order, so the result is the one a single thread gets. Reading the store and applying the rules take about
/// as long as each other; the run takes about as long as the slower half.
///
/// The input is touched by the reader thread only, from the first summary to the last; at most `depth`
/// summaries (or chunks of a summary too large to keep) wait between the two. An error on either side stops
/// both, and the reader thread has finished before `run` returns or throws.
enum LedgerPipeline {
    /// Summaries (or chunks) read ahead at most.
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

    static func run<Input: LedgerInput>(input: Input, period: StatementPeriod, reader: inout SummaryReader, run: inout LedgerRun) throws {
        let queue = HandoffQueue<Item>(capacity: depth)
        let work = ReaderWork(input: input, reader: reader)
        let thread = Thread {
            work.read(period: period, into: queue)
        }
        thread.name = "ddexd-ledger-reader"
        thread.start()
        defer {
            // The reader thread must be done with the input and the reader before they go back to the caller.
            queue.close()
            work.finished.wait()
            reader = work.reader
        }
        while true {
            switch queue.take() {
            case .summary(let read):
                if let kept = read.lines ?? (read.isUnconverted ? [] : nil) {
                    try run.apply(read) { body in for line in kept { try body(line) } }
                } else {
                    try run.apply(read) { body in
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
                return
            case .chunk, .endOfLines:
                throw LedgerError(.ledgerInputInconsistent, at: "statement run \(period)", "lines arrived without their summary")
            }
        }
    }

    /// What the reader thread owns while it runs. Handed between threads only across `finished` and the queue,
    /// which order every access.
    private final class ReaderWork<Input: LedgerInput>: @unchecked Sendable {
        let input: Input
        var reader: SummaryReader
        let finished = DispatchSemaphore(value: 0)

        init(input: Input, reader: SummaryReader) {
            self.input = input
            self.reader = reader
        }

        func read(period: StatementPeriod, into queue: HandoffQueue<Item>) {
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
