import DDEXModel
import DSR
import Foundation
import Store

/// `DSRReportLoading` on PostgreSQL: the rules of `DSRReportLoader` (`DSRLoadRules`) and its rows
/// (`DSRRowMapper`), written with COPY streamed from the parser.
///
/// **One transaction.** SQLite's loader writes in bounded transactions so that its one writer is shared; a
/// PostgreSQL server has no such writer, so a report is loaded in one transaction: readers see it whole or not at
/// all, a failure rolls it all back, and a load cut short (`kill -9`, a lost connection) leaves nothing, since the
/// server rolls back what was not committed. Loading the same files again finds them (`alreadyLoaded`) and changes
/// nothing. The transaction is `READ COMMITTED` and starts by taking a lock on the report's context (recipient,
/// sender, service, period, territory): two instances loading the same report, or two reports of one context, load
/// one after the other, and the second sees what the first committed (the same files: `alreadyLoaded`; a newer
/// report: supersession).
///
/// **Streaming.** The files are parsed on a reader thread a few batches ahead (`DSRReadAhead`); the calling thread
/// turns each chunk of `linesPerChunk` lines into rows (`PostgresDSRRowSink`) that are copied while the next are
/// encoded. Memory is bounded by the chunk, never by the report.
public struct PostgresDSRReportLoader: DSRReportLoading {
    public let database: PostgresDatabase
    /// Usage lines per chunk: the rows whose ids are reserved at once, and between two rounds of COPY.
    public let linesPerChunk: Int

    public init(database: PostgresDatabase, linesPerChunk: Int = 32_768) {
        self.database = database
        self.linesPerChunk = max(1, linesPerChunk)
    }

    /// Loads one complete report (see `DSRReportLoading.load`). Blocks for as long as the load takes and starts
    /// one reader thread for the duration.
    public func load(_ report: DSRReportFiles, progress: ((DSRLoadProgress) -> Void)? = nil) throws -> DSRLoadResult {
        let result = try loadInTransaction(report, progress: progress)
        if result.outcome != .alreadyLoaded { markLinesVisible() }
        return result
    }

    /// Sets the visibility map of the pages the load filled, as autovacuum would a while later: until then every
    /// line a statement run reads through the ledger's covering index is also looked up in the table (a 10M-line
    /// run took 37.8 s right after its load, 20.7 s once vacuumed; the VACUUM costs about 0.2 s per 1M lines).
    ///
    /// `INDEX_CLEANUP OFF`: the pass visits only the pages not yet all-visible (the new ones) and never scans the
    /// indexes, whatever the table's size; the rare dead lines (a cut-short load's, purged) are left to
    /// autovacuum. `TRUNCATE OFF`: it never takes the lock that would stop other instances' readers and loads while
    /// it gave empty pages back. The report is committed before: a VACUUM that fails (the server went away, a
    /// conflicting VACUUM cancelled) loses nothing and leaves the pages to autovacuum.
    private func markLinesVisible() {
        _ = try? database.withSession { session in try session.execute("VACUUM (INDEX_CLEANUP OFF, TRUNCATE OFF) dsr_usage_lines") }
    }

    private func loadInTransaction(_ report: DSRReportFiles, progress: ((DSRLoadProgress) -> Void)?) throws -> DSRLoadResult {
        try database.write(isolation: .readCommitted) { session in
            // Durable when it returns, whatever the server's `synchronous_commit`: the caller then moves the report's
            // files to `processed/`, and the lines' pages can only be marked all-visible once the commit is on disk.
            try session.execute("SET LOCAL synchronous_commit = on")
            let db = PostgresDSRReportTransaction(session: session)
            try lockContext(of: report.key, session)
            if let result = try DSRLoadRules.alreadyLoaded(report, in: db) { return result }
            let reportId = try DSRLoadRules.stage(report, in: db)
            try purgeRows(of: reportId, session)
            let (read, usageLineCount) = try loadRows(report, reportId: reportId, session: session, progress: progress)
            return try DSRLoadRules.publish(report, reportId: reportId, read: read, usageLineCount: usageLineCount, in: db)
        }
    }

    /// Waits for the loads of the same context to end (the lock is the transaction's).
    private func lockContext(of key: DSRReportKey, _ session: PostgresSession) throws(StoreError) {
        let context = ["ddexd.dsr", key.recipient, key.sender, key.service, key.period, key.territory].joined(separator: "\u{1F}")
        try session.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [context])
    }

    /// Clears what a staged report left (a report staged by an earlier ddexd's bounded load, cut short): its rows
    /// and its files' digests.
    private func purgeRows(of reportId: Int64, _ session: PostgresSession) throws(StoreError) {
        for table in ["dsr_usage_lines", "dsr_resources", "dsr_releases", "dsr_summaries", "dsr_report_warnings"] {
            try session.execute("DELETE FROM \(table) WHERE report_id = $1", [reportId])
        }
        try session.execute("""
            UPDATE dsr_report_files SET sha256 = NULL, size_bytes = NULL, line_count = NULL, block_count = NULL
            WHERE report_id = $1
            """, [reportId])
    }

    private func loadRows(_ report: DSRReportFiles, reportId: Int64, session: PostgresSession,
                          progress: ((DSRLoadProgress) -> Void)?) throws -> (DSRReadAhead.Outcome, usageLineCount: Int)
    {
        var rows = DSRRowMapper(sink: try PostgresDSRRowSink(session: session), reportId: reportId)
        let readAhead = DSRReadAhead(report: report)
        readAhead.start()
        do {
            while let chunk = try nextChunk(readAhead) {
                var counts = (releases: 0, resources: 0, usageLines: 0)
                for batch in chunk {
                    let batchCounts = batch.lines.referencedRowCounts
                    counts.releases += batchCounts.releases
                    counts.resources += batchCounts.resources
                    counts.usageLines += batchCounts.usageLines
                }
                try rows.sink.reserve(releases: counts.releases, resources: counts.resources, usageLines: counts.usageLines)
                for batch in chunk {
                    try rows.write(batch.lines)
                    if let progress, let state = batch.progress { progress(state) }
                }
                try rows.sink.flush()
            }
            return (try readAhead.outcome(), rows.usageLineCount)
        } catch {
            rows.sink.abandon()
            readAhead.cancel()
            if error is COPYTextRows.NULCharacter {
                throw DSRError(.encoding, file: report.files[0].name.text,
                               "a cell holds a NUL character (U+0000), which PostgreSQL cannot store in text")
            }
            throw error
        }
    }

    /// The next batches of about `linesPerChunk` lines; nil once the report is read.
    private func nextChunk(_ readAhead: DSRReadAhead) throws -> [DSRReadAhead.Batch]? {
        var chunk: [DSRReadAhead.Batch] = []
        var lines = 0
        while lines < linesPerChunk, let batch = try readAhead.next() {
            lines += batch.lines.count
            chunk.append(batch)
        }
        return chunk.isEmpty ? nil : chunk
    }
}
