import DDEXModel
import DSR
import PostgresNIO
import Store

/// `DSRReportTransaction` on PostgreSQL: the DSR bookkeeping's statements on one session, inside the caller's
/// transaction, so that `DSRReportRules` and `DSRLoadRules` apply here exactly as on SQLite.
struct PostgresDSRReportTransaction: DSRReportTransaction {
    let session: PostgresSession

    func report(id: Int64) throws -> DSRStoredReport? {
        try session.query("SELECT * FROM dsr_reports WHERE id = $1", [id]).first.map { try DSRStoredReport(row: $0) }
    }

    func report(key: DSRReportKey) throws -> DSRStoredReport? {
        try session.query("""
            SELECT * FROM dsr_reports
            WHERE recipient = $1 AND sender = $2 AND service = $3 AND period = $4 AND territory = $5 AND name_created = $6
            """, [key.recipient, key.sender, key.service, key.period, key.territory, key.created]).first.map { try DSRStoredReport(row: $0) }
    }

    func reports() throws -> [DSRStoredReport] {
        try session.query("SELECT * FROM dsr_reports ORDER BY id").map { try DSRStoredReport(row: $0) }
    }

    func reportsOfContext(_ key: DSRReportKey) throws -> [DSRStoredReport] {
        try session.query("""
            SELECT * FROM dsr_reports
            WHERE recipient = $1 AND sender = $2 AND service = $3 AND period = $4 AND territory = $5
              AND state IN ('loaded', 'superseded')
            ORDER BY coalesce(created_unix_ms, 0) DESC, name_created DESC, id DESC
            """, [key.recipient, key.sender, key.service, key.period, key.territory]).map { try DSRStoredReport(row: $0) }
    }

    func insertReport(_ key: DSRReportKey, state: DSRReportState, numberOfFiles: Int, now: String) throws -> Int64 {
        let rows = try session.query("""
            INSERT INTO dsr_reports (state, state_changed_at, recipient, sender, service, period, territory,
                                     name_created, number_of_files)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """, [state.reportRowState, now, key.recipient, key.sender, key.service, key.period, key.territory, key.created,
                  Int64(numberOfFiles)])
        return try Self.id(rows, "dsr_reports")
    }

    func deleteReport(id: Int64) throws {
        try session.execute("DELETE FROM dsr_report_files WHERE report_id = $1", [id])
        try session.execute("DELETE FROM dsr_reports WHERE id = $1", [id])
    }

    func setReportState(id: Int64, _ state: DSRReportState, supersededBy: Int64?, now: String) throws {
        try session.execute("""
            UPDATE dsr_reports SET state = $1, state_changed_at = $2, superseded_by = coalesce($3, superseded_by) WHERE id = $4
            """, [state.reportRowState, now, supersededBy, id])
    }

    func setReportTotals(id: Int64, lineCount: Int, summaryCount: Int, blockCount: Int, usageLineCount: Int) throws {
        try session.execute("""
            UPDATE dsr_reports SET line_count = $1, summary_count = $2, block_count = $3, usage_line_count = $4 WHERE id = $5
            """, [Int64(lineCount), Int64(summaryCount), Int64(blockCount), Int64(usageLineCount), id])
    }

    func loadedFile(named name: String) throws -> (reportId: Int64, sha256: String)? {
        let t = "dsr_report_files"
        guard let row = try session.query("SELECT report_id, sha256 FROM dsr_report_files WHERE file_name = $1 AND sha256 IS NOT NULL",
                                          [name]).first else { return nil }
        return (try row.value("report_id", in: t), try row.value("sha256", in: t))
    }

    func warnings(reportId id: Int64) throws -> [Problem] {
        let t = "dsr_report_warnings"
        return try session.query("SELECT code, location, message FROM dsr_report_warnings WHERE report_id = $1 ORDER BY id", [id]).map { row in
            .warning(ProblemCode(rawValue: try row.value("code", in: t)), at: try row.value("location", in: t),
                     try row.value("message", in: t))
        }
    }

    func insertWarnings(_ warnings: [Problem], reportId: Int64) throws {
        for problem in warnings {
            try session.execute("INSERT INTO dsr_report_warnings (report_id, code, location, message) VALUES ($1, $2, $3, $4)",
                                [reportId, problem.code.rawValue, problem.location, problem.message])
        }
    }

    func fetchStates(reportKey: String) throws -> [String] {
        try session.query("SELECT DISTINCT state FROM dsr_fetches WHERE report_key = $1", [reportKey]).map { row in
            try row.value("state", in: "dsr_fetches")
        }
    }

    func publishFetches(reportKey: String, reportId: Int64, state: DSRReportState, now: String) throws {
        try session.execute("""
            UPDATE dsr_fetches SET state = $1, report_id = $2, error_code = NULL, error_message = NULL, updated_at = $3
            WHERE report_key = $4 AND state = $5
            """, [state.fetchRowState, reportId, now, reportKey, DSRReportState.fetched.fetchRowState])
    }

    func failFetches(reportKey: String, failure: (code: String, message: String)?, now: String) throws {
        try session.execute("""
            UPDATE dsr_fetches SET state = $1, error_code = $2, error_message = $3, updated_at = $4
            WHERE report_key = $5 AND state = $6
            """, [DSRReportState.failed.fetchRowState, failure?.code, failure?.message, now, reportKey,
                  DSRReportState.fetched.fetchRowState])
    }

    func fetch(id: Int64) throws -> DSRFetchRecord? {
        try fetches("id = $1", [id]).first
    }

    func fetch(dsp: String, remotePath: String, size: UInt64, sha256: String) throws -> DSRFetchRecord? {
        try fetches("dsp = $1 AND remote_path = $2 AND size = $3 AND sha256 = $4", [dsp, remotePath, Int64(size), sha256]).first
    }

    func insertFetch(_ file: NewDSRFetch, state: DSRReportState, now: String) throws -> Int64 {
        let rows = try session.query("""
            INSERT INTO dsr_fetches (dsp, remote_path, file_name, size, remote_mtime, sha256, local_path, report_key,
                                     state, fetched_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
            """, [file.dsp, file.remotePath, file.fileName, Int64(file.size), file.remoteModified, file.sha256, file.localPath,
                  file.reportKey.description, state.fetchRowState, now, now])
        return try Self.id(rows, "dsr_fetches")
    }

    func setFetchLocalPath(id: Int64, _ localPath: String, now: String) throws {
        try session.execute("UPDATE dsr_fetches SET local_path = $1, updated_at = $2 WHERE id = $3", [localPath, now, id])
    }

    /// The `dsr_fetches` rows matching `condition` (SQL after `WHERE`, its arguments `$1…`).
    func fetches(_ condition: String, _ arguments: [(any PostgresDynamicTypeEncodable)?]) throws -> [DSRFetchRecord] {
        try session.query("SELECT * FROM dsr_fetches WHERE \(condition)", arguments).map { try DSRFetchRecord(row: $0) }
    }

    // MARK: Ids

    private static func id(_ rows: [PostgresStoredRow], _ table: String) throws(StoreError) -> Int64 {
        guard let id = try rows.first?.first(Int64.self) else {
            throw StoreError(.step, message: "an insert into \(table) returned no id")
        }
        return id
    }
}
