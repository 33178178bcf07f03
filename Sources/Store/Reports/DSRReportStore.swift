import DDEXModel
import DSR
import Foundation

/// A report row as stored in `dsr_reports`.
public struct DSRStoredReport: Sendable, Hashable {
    public var id: Int64
    public var state: DSRReportState
    public var supersededBy: Int64?
    public var key: DSRReportKey
    public var numberOfFiles: Int
    public var messageId: String?
    public var createdAt: String?
    public var lineCount: Int?
    public var usageLineCount: Int?
}

/// Reads and moves DSR reports in the store. Every state change goes through `transition`, which checks
/// `DSRReportState.allowedNext` and that no other writer moved the report meanwhile.
public struct DSRReportStore {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    private static let columns = """
        id, state, superseded_by, recipient, sender, service, period, territory, name_created, number_of_files,
        message_id, created_at, line_count, usage_line_count
        """

    private static func read(_ statement: Statement) throws -> DSRStoredReport {
        let stateText = statement.string(at: 1) ?? ""
        guard let state = DSRReportState(rawValue: stateText) else {
            throw StoreError(.decode, message: "dsr_reports.state holds '\(stateText)', which is no DSRReportState")
        }
        return DSRStoredReport(
            id: statement.int64(at: 0), state: state, supersededBy: statement.optionalInt64(at: 2),
            key: DSRReportKey(recipient: statement.string(at: 3) ?? "", sender: statement.string(at: 4) ?? "",
                              service: statement.string(at: 5) ?? "", period: statement.string(at: 6) ?? "",
                              territory: statement.string(at: 7) ?? "", created: statement.string(at: 8) ?? ""),
            numberOfFiles: statement.int(at: 9), messageId: statement.string(at: 10), createdAt: statement.string(at: 11),
            lineCount: statement.optionalInt64(at: 12).map { Int($0) },
            usageLineCount: statement.optionalInt64(at: 13).map { Int($0) })
    }

    public func report(id: Int64) throws -> DSRStoredReport? {
        let statement = try database.prepare("SELECT \(Self.columns) FROM dsr_reports WHERE id = ?")
        try statement.bind(id, at: 1)
        return try statement.step() ? Self.read(statement) : nil
    }

    public func report(key: DSRReportKey) throws -> DSRStoredReport? {
        let statement = try database.prepare("""
            SELECT \(Self.columns) FROM dsr_reports
            WHERE recipient = ? AND sender = ? AND service = ? AND period = ? AND territory = ? AND name_created = ?
            """)
        try statement.bind([.text(key.recipient), .text(key.sender), .text(key.service), .text(key.period),
                            .text(key.territory), .text(key.created)])
        return try statement.step() ? Self.read(statement) : nil
    }

    /// Every report, oldest row first.
    public func reports() throws -> [DSRStoredReport] {
        let statement = try database.prepare("SELECT \(Self.columns) FROM dsr_reports ORDER BY id")
        var result: [DSRStoredReport] = []
        while try statement.step() { result.append(try Self.read(statement)) }
        return result
    }

    /// Records a report seen on the DSP's server (state `discovered`), with its files' names.
    /// Returns the existing row's id when the report is already known.
    @discardableResult
    public func recordDiscovered(_ report: DSRReportFiles) throws -> Int64 {
        try database.transaction {
            if let existing = try self.report(key: report.key) { return existing.id }
            let id = try insertReport(report, state: .discovered)
            for file in report.files {
                try database.run("""
                    INSERT INTO dsr_report_files (report_id, file_name, file_number, number_of_files) VALUES (?, ?, ?, ?)
                    """, .integer(id), .text(file.name.text), .integer(file.name.fileNumber),
                    .integer(file.name.numberOfFiles))
            }
            return id
        }
    }

    func insertReport(_ report: DSRReportFiles, state: DSRReportState) throws -> Int64 {
        try database.run("""
            INSERT INTO dsr_reports (state, state_changed_at, recipient, sender, service, period, territory,
                                     name_created, number_of_files)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, .text(state.rawValue), .text(Self.now()), .text(report.key.recipient), .text(report.key.sender),
            .text(report.key.service), .text(report.key.period), .text(report.key.territory),
            .text(report.key.created), .integer(report.numberOfFiles))
        return database.lastInsertRowID
    }

    /// Moves report `id` from `from` to `to`, if the state machine allows it and the row is still in `from`.
    public func transition(_ id: Int64, from: DSRReportState, to: DSRReportState, supersededBy: Int64? = nil) throws {
        guard from.canTransition(to: to) else { throw DSRStateError(from: from, to: to, reportId: id) }
        let changed = try database.run("""
            UPDATE dsr_reports SET state = ?, state_changed_at = ?, superseded_by = coalesce(?, superseded_by)
            WHERE id = ? AND state = ?
            """, .text(to.rawValue), .text(Self.now()), .integer(supersededBy), .integer(id), .text(from.rawValue))
        guard changed == 1 else {
            let actual = try report(id: id)?.state ?? from
            throw DSRStateError(from: actual, to: to, reportId: id)
        }
    }

    /// Marks every loaded report of the same recipient, sender, service, period and territory except the
    /// newest (by HEAD MessageCreatedDateTime, then the file name's creation time) as superseded by the
    /// newest. Returns the newest report's id and the ids it superseded now.
    @discardableResult
    public func applySupersession(for key: DSRReportKey) throws -> (newest: Int64, superseded: [Int64]) {
        let statement = try database.prepare("""
            SELECT id, state FROM dsr_reports
            WHERE recipient = ? AND sender = ? AND service = ? AND period = ? AND territory = ?
              AND state IN ('loaded', 'superseded')
            ORDER BY coalesce(created_unix_ms, 0) DESC, name_created DESC, id DESC
            """)
        try statement.bind([.text(key.recipient), .text(key.sender), .text(key.service), .text(key.period),
                            .text(key.territory)])
        var rows: [(Int64, String)] = []
        while try statement.step() { rows.append((statement.int64(at: 0), statement.string(at: 1) ?? "")) }
        guard let newest = rows.first else { return (0, []) }
        var superseded: [Int64] = []
        for (id, state) in rows.dropFirst() where state == DSRReportState.loaded.rawValue {
            try transition(id, from: .loaded, to: .superseded, supersededBy: newest.0)
            superseded.append(id)
        }
        if newest.1 != DSRReportState.loaded.rawValue {
            // Only reachable by hand-edited data: the newest report must count.
            throw StoreError(.step, message: "the newest report \(newest.0) for \(key) is \(newest.1), not loaded")
        }
        return (newest.0, superseded)
    }

    /// The warnings stored for report `id`.
    public func warnings(reportId id: Int64) throws -> [Problem] {
        let statement = try database.prepare("SELECT code, location, message FROM dsr_report_warnings WHERE report_id = ? ORDER BY id")
        try statement.bind(id, at: 1)
        var result: [Problem] = []
        while try statement.step() {
            result.append(.warning(ProblemCode(rawValue: statement.string(at: 0) ?? ""), at: statement.string(at: 1) ?? "",
                                   statement.string(at: 2) ?? ""))
        }
        return result
    }
}
