import DDEXModel
import Foundation

/// Where a fetched DSR file stands (`dsr_fetches.state`).
public enum DSRFetchState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Downloaded into the archive, size-verified; its report is not loaded yet.
    case fetched
    /// Its report is loaded (or was loaded before, byte for byte).
    case loaded
    /// Its report failed to load with a coded error; the file stays in the archive and is not fetched again.
    case failed
}

/// A DSR file fetched from a DSP's server, as stored in `dsr_fetches`.
public struct DSRFetchRecord: Sendable, Hashable {
    public var id: Int64
    public var dsp: String
    public var remotePath: String
    public var fileName: String
    public var size: UInt64
    public var remoteModified: Double?
    public var sha256: String
    /// The archived copy under `archive/dsr/<dsp>/`.
    public var localPath: String
    /// The report's name without XofY (`DSRReportKey.description`).
    public var reportKey: String
    public var reportId: Int64?
    public var state: DSRFetchState
    public var errorCode: String?
    public var errorMessage: String?
    /// What was done on the server after the load: `kept`, `deleted` or `moved`; nil until done.
    public var afterFetch: String?
    public var fetchedAt: String
    public var updatedAt: String
}

/// Remembers every DSR file fetched from a DSP, so none is downloaded twice (even when the account may
/// not delete on the server), and what became of its report.
public struct DSRFetchStore: Sendable {
    public let database: SharedDatabase

    public init(database: SharedDatabase) { self.database = database }

    /// The file fetched from `remotePath` with this size, if any (the newest row).
    public func fetch(dsp: String, remotePath: String, size: UInt64) throws -> DSRFetchRecord? {
        try database.withDatabase { db in
            try Self.find(db, "dsp = ? AND remote_path = ? AND size = ? ORDER BY id DESC LIMIT 1",
                          [.text(dsp), .text(remotePath), .integer(Int64(size))]).first
        }
    }

    /// Records a downloaded file (state `fetched`); returns the existing row when the same file
    /// (path, size, SHA-256) was recorded before.
    @discardableResult
    public func recordFetched(dsp: String, remotePath: String, fileName: String, size: UInt64, remoteModified: Double?,
                              sha256: String, localPath: String, reportKey: String, now: String) throws -> DSRFetchRecord
    {
        try database.withDatabase { db in
            try db.transaction {
                let key: [SQLValue] = [.text(dsp), .text(remotePath), .integer(Int64(size)), .text(sha256)]
                if let existing = try Self.find(db, "dsp = ? AND remote_path = ? AND size = ? AND sha256 = ?", key).first {
                    if existing.localPath != localPath {
                        _ = try db.run("UPDATE dsr_fetches SET local_path = ?, updated_at = ? WHERE id = ?",
                                       .text(localPath), .text(now), .integer(existing.id))
                    }
                    return try Self.find(db, "id = ?", [.integer(existing.id)])[0]
                }
                _ = try db.run("""
                    INSERT INTO dsr_fetches (dsp, remote_path, file_name, size, remote_mtime, sha256, local_path, report_key,
                                             state, fetched_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'fetched', ?, ?)
                    """, .text(dsp), .text(remotePath), .text(fileName), .integer(Int64(size)),
                    remoteModified.map { .real($0) } ?? .null, .text(sha256), .text(localPath), .text(reportKey), .text(now), .text(now))
                return try Self.find(db, "id = ?", [.integer(db.lastInsertRowID)])[0]
            }
        }
    }

    /// Marks the files of a report loaded into report `reportId`.
    public func markLoaded(_ ids: [Int64], reportId: Int64, now: String) throws {
        try update(ids, "state = 'loaded', report_id = ?, error_code = NULL, error_message = NULL, updated_at = ?",
                   [.integer(reportId), .text(now)])
    }

    /// Marks the files of a report that failed to load, with the coded error.
    public func markFailed(_ ids: [Int64], code: String, message: String, now: String) throws {
        try update(ids, "state = 'failed', error_code = ?, error_message = ?, updated_at = ?", [.text(code), .text(message), .text(now)])
    }

    /// Records what was done on the server after the load (`kept`, `deleted`, `moved`).
    public func markAfterFetch(_ ids: [Int64], action: String, now: String) throws {
        try update(ids, "after_fetch = ?, updated_at = ?", [.text(action), .text(now)])
    }

    public func fetches(dsp: String? = nil) throws -> [DSRFetchRecord] {
        try database.withDatabase { db in
            if let dsp { return try Self.find(db, "dsp = ? ORDER BY id", [.text(dsp)]) }
            return try Self.find(db, "1 ORDER BY id", [])
        }
    }

    private func update(_ ids: [Int64], _ sets: String, _ values: [SQLValue]) throws {
        guard !ids.isEmpty else { return }
        try database.withDatabase { db in
            try db.transaction {
                let s = try db.prepare("UPDATE dsr_fetches SET \(sets) WHERE id = ?")
                for id in ids {
                    try s.bind(values + [.integer(id)])
                    try s.run()
                    s.reset()
                }
            }
        }
    }

    static func find(_ db: Database, _ condition: String, _ arguments: [SQLValue]) throws -> [DSRFetchRecord] {
        let s = try db.prepare("""
            SELECT id, dsp, remote_path, file_name, size, remote_mtime, sha256, local_path, report_key, report_id, state,
                   error_code, error_message, after_fetch, fetched_at, updated_at
            FROM dsr_fetches WHERE \(condition)
            """)
        try s.bind(arguments)
        var out: [DSRFetchRecord] = []
        while try s.step() {
            guard let state = DSRFetchState(rawValue: s.string(at: 10) ?? "") else {
                throw StoreError(.decode, message: "dsr_fetches row \(s.int64(at: 0)) has an unknown state")
            }
            out.append(DSRFetchRecord(
                id: s.int64(at: 0), dsp: s.string(at: 1) ?? "", remotePath: s.string(at: 2) ?? "", fileName: s.string(at: 3) ?? "",
                size: UInt64(max(0, s.int64(at: 4))), remoteModified: s.double(at: 5), sha256: s.string(at: 6) ?? "",
                localPath: s.string(at: 7) ?? "", reportKey: s.string(at: 8) ?? "", reportId: s.optionalInt64(at: 9), state: state,
                errorCode: s.string(at: 11), errorMessage: s.string(at: 12), afterFetch: s.string(at: 13),
                fetchedAt: s.string(at: 14) ?? "", updatedAt: s.string(at: 15) ?? ""))
        }
        return out
    }
}
