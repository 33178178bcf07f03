import DDEXModel
import DSR
import GRDB

/// `DSRReportTransaction` on SQLite: the bookkeeping's statements inside a transaction of the store's writer (or a
/// read's snapshot, for the reads).
struct SQLiteDSRReportTransaction: DSRReportTransaction {
    let db: GRDB.Database

    func report(id: Int64) throws -> DSRStoredReport? {
        try DSRStoredReport.fetchOne(db, sql: "SELECT * FROM dsr_reports WHERE id = ?", arguments: [id])
    }

    func report(key: DSRReportKey) throws -> DSRStoredReport? {
        try DSRStoredReport.fetchOne(db, sql: """
            SELECT * FROM dsr_reports
            WHERE recipient = ? AND sender = ? AND service = ? AND period = ? AND territory = ? AND name_created = ?
            """, arguments: [key.recipient, key.sender, key.service, key.period, key.territory, key.created])
    }

    func reportsOfContext(_ key: DSRReportKey) throws -> [DSRStoredReport] {
        try DSRStoredReport.fetchAll(db, sql: """
            SELECT * FROM dsr_reports
            WHERE recipient = ? AND sender = ? AND service = ? AND period = ? AND territory = ?
              AND state IN ('loaded', 'superseded')
            ORDER BY coalesce(created_unix_ms, 0) DESC, name_created DESC, id DESC
            """, arguments: [key.recipient, key.sender, key.service, key.period, key.territory])
    }

    func insertReport(_ key: DSRReportKey, state: DSRReportState, numberOfFiles: Int, now: String) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO dsr_reports (state, state_changed_at, recipient, sender, service, period, territory,
                                     name_created, number_of_files)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [state.reportRowState, now, key.recipient, key.sender, key.service, key.period, key.territory,
                             key.created, numberOfFiles])
        return db.lastInsertedRowID
    }

    func deleteReport(id: Int64) throws {
        try db.execute(sql: "DELETE FROM dsr_report_files WHERE report_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM dsr_reports WHERE id = ?", arguments: [id])
    }

    func setReportState(id: Int64, _ state: DSRReportState, supersededBy: Int64?, now: String) throws {
        try db.execute(sql: """
            UPDATE dsr_reports SET state = ?, state_changed_at = ?, superseded_by = coalesce(?, superseded_by) WHERE id = ?
            """, arguments: [state.reportRowState, now, supersededBy, id])
    }

    func setReportTotals(id: Int64, lineCount: Int, summaryCount: Int, blockCount: Int, usageLineCount: Int) throws {
        try db.execute(sql: """
            UPDATE dsr_reports SET line_count = ?, summary_count = ?, block_count = ?, usage_line_count = ? WHERE id = ?
            """, arguments: [lineCount, summaryCount, blockCount, usageLineCount, id])
    }

    func loadedFile(named name: String) throws -> (reportId: Int64, sha256: String)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT report_id, sha256 FROM dsr_report_files WHERE file_name = ? AND sha256 IS NOT NULL",
                                         arguments: [name]) else { return nil }
        return (try row.value("report_id", in: "dsr_report_files"), try row.value("sha256", in: "dsr_report_files"))
    }

    func warnings(reportId id: Int64) throws -> [Problem] {
        try Row.fetchAll(db, sql: "SELECT code, location, message FROM dsr_report_warnings WHERE report_id = ? ORDER BY id",
                         arguments: [id]).map { row in
            .warning(ProblemCode(rawValue: try row.value("code", in: "dsr_report_warnings")),
                     at: try row.value("location", in: "dsr_report_warnings"),
                     try row.value("message", in: "dsr_report_warnings"))
        }
    }

    func insertWarnings(_ warnings: [Problem], reportId: Int64) throws {
        let insert = try db.makeStatement(sql: "INSERT INTO dsr_report_warnings (report_id, code, location, message) VALUES (?, ?, ?, ?)")
        for problem in warnings {
            try insert.execute(arguments: [reportId, problem.code.rawValue, problem.location, problem.message])
        }
    }

    func fetchStates(reportKey: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT state FROM dsr_fetches WHERE report_key = ?", arguments: [reportKey])
    }

    func publishFetches(reportKey: String, reportId: Int64, state: DSRReportState, now: String) throws {
        try db.execute(sql: """
            UPDATE dsr_fetches SET state = ?, report_id = ?, error_code = NULL, error_message = NULL, updated_at = ?
            WHERE report_key = ? AND state = ?
            """, arguments: [state.fetchRowState, reportId, now, reportKey, DSRReportState.fetched.fetchRowState])
    }

    func failFetches(reportKey: String, failure: (code: String, message: String)?, now: String) throws {
        try db.execute(sql: """
            UPDATE dsr_fetches SET state = ?, error_code = ?, error_message = ?, updated_at = ? WHERE report_key = ? AND state = ?
            """, arguments: [DSRReportState.failed.fetchRowState, failure?.code, failure?.message, now, reportKey,
                             DSRReportState.fetched.fetchRowState])
    }

    func fetch(id: Int64) throws -> DSRFetchRecord? {
        try fetches("id = ?", [id]).first
    }

    func fetch(dsp: String, remotePath: String, size: UInt64, sha256: String) throws -> DSRFetchRecord? {
        try fetches("dsp = ? AND remote_path = ? AND size = ? AND sha256 = ?", [dsp, remotePath, Int64(size), sha256]).first
    }

    func insertFetch(_ file: NewDSRFetch, state: DSRReportState, now: String) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO dsr_fetches (dsp, remote_path, file_name, size, remote_mtime, sha256, local_path, report_key,
                                     state, fetched_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [file.dsp, file.remotePath, file.fileName, Int64(file.size), file.remoteModified, file.sha256,
                             file.localPath, file.reportKey.description, state.fetchRowState, now, now])
        return db.lastInsertedRowID
    }

    func setFetchLocalPath(id: Int64, _ localPath: String, now: String) throws {
        try db.execute(sql: "UPDATE dsr_fetches SET local_path = ?, updated_at = ? WHERE id = ?", arguments: [localPath, now, id])
    }

    /// The `dsr_fetches` rows matching `condition` (SQL after `WHERE`).
    func fetches(_ condition: String, _ arguments: StatementArguments) throws -> [DSRFetchRecord] {
        try DSRFetchRecord.fetchAll(db, sql: "SELECT * FROM dsr_fetches WHERE \(condition)", arguments: arguments)
    }
}
