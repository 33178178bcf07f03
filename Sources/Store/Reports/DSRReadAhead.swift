import DDEXModel
import DSR
import Foundation

/// Reads a report on a thread of its own, a few batches ahead of the caller, so parsing (one core)
/// overlaps the store's writes (the other). Memory stays bounded: at most `capacity` batches wait.
///
/// The caller owns the database and pulls batches with `next()`; if it fails, it calls `cancel()`,
/// which stops the reader and waits for its thread to end, so no file is read after the load returns.
package final class DSRReadAhead: @unchecked Sendable {
    package struct Batch: Sendable {
        package var lines: DSRUsageBatch
        package var progress: DSRLoadProgress?
    }

    /// What the reader knows once every file is read.
    package struct Outcome: Sendable {
        package var warnings: [Problem]
        package var finishedFiles: [DSRFileSummary]
        package var summaryCount: Int
    }

    private let report: DSRReportFiles
    private let batchSize: Int
    private let capacity: Int
    // Safety: the mutable state below is only touched with `condition` locked.
    private let condition = NSCondition()
    private var queue: [Batch] = []
    private var result: Result<Outcome, any Error>?
    private var cancelled = false
    private var threadEnded = false

    package init(report: DSRReportFiles, batchSize: Int = 2048, capacity: Int = 4) {
        self.report = report
        self.batchSize = batchSize
        self.capacity = capacity
    }

    package func start() {
        let thread = Thread { [self] in produce() }
        thread.name = "ddexd-dsr-reader"
        thread.start()
    }

    private func produce() {
        let reader = DSRReportReader(report: report)
        var lines = DSRUsageBatch(capacity: batchSize)
        let outcome: Result<Outcome, any Error>
        do {
            // Usage lines come as views, packed as bytes: no String is made for them on this thread or the writer's.
            while let item = try reader.nextItem() {
                switch item {
                case .usage: lines.append(reader.usage)
                case .event(let event): lines.append(event)
                }
                if lines.count >= batchSize {
                    let progress = reader.currentFileName.map { name in
                        DSRLoadProgress(fileName: name, fileNumber: reader.finishedFiles.count + 1,
                                        numberOfFiles: report.numberOfFiles, bytesRead: reader.currentFileBytesRead,
                                        linesRead: reader.currentFileLinesRead)
                    }
                    guard push(Batch(lines: lines, progress: progress)) else { return end(nil) }
                    lines = DSRUsageBatch(capacity: batchSize)
                }
            }
            if lines.count > 0 {
                guard push(Batch(lines: lines, progress: nil)) else { return end(nil) }
            }
            outcome = .success(Outcome(warnings: reader.warnings, finishedFiles: reader.finishedFiles,
                                       summaryCount: reader.summaries.count))
        } catch {
            outcome = .failure(error)
        }
        end(outcome)
    }

    /// Queues a batch, waiting while the queue is full; false when the caller cancelled.
    private func push(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    private func end(_ outcome: Result<Outcome, any Error>?) {
        condition.lock()
        if let outcome { result = outcome }
        threadEnded = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch in report order; nil once every event was delivered. Throws the reader's error
    /// after the events read before it.
    package func next() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !threadEnded { condition.wait() }
        if !queue.isEmpty {
            let batch = queue.removeFirst()
            condition.broadcast()
            return batch
        }
        switch result {
        case .failure(let error): throw error
        case .success, .none: return nil
        }
    }

    /// The reader's results, once `next()` returned nil.
    package func outcome() throws -> Outcome {
        condition.lock()
        defer { condition.unlock() }
        guard case .success(let outcome) = result else {
            throw StoreError(.misuse, message: "the DSR reader ended without a result")
        }
        return outcome
    }

    /// Stops the reader and waits until its thread has ended.
    package func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !threadEnded { condition.wait() }
        queue.removeAll()
        condition.unlock()
    }
}
