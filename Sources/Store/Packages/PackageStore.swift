import DDEXModel
import Foundation

/// One package as stored.
public struct PackageRecord: Sendable, Hashable {
    public var id: String
    public var account: String
    /// Where the label dropped it (inbound folder or zip).
    public var source: String
    /// Where ddexd keeps it now (work, then archive or rejected).
    public var workPath: String
    public var state: PackageState
    public var releaseId: String?
    public var title: String?
    public var displayArtist: String?
    public var takedown: Bool
    public var problems: [Problem]
    /// The validated release as JSON, so bundles can be (re)built after a restart.
    public var releaseJSON: String?
    public var createdAt: String
    public var updatedAt: String
}

/// A timeline entry of a package.
public struct PackageEvent: Sendable, Hashable {
    public var at: String
    public var event: String
    public var dsp: String?
    public var detail: String?

    public init(at: String, event: String, dsp: String? = nil, detail: String? = nil) {
        self.at = at
        self.event = event
        self.dsp = dsp
        self.detail = detail
    }
}

/// Persists packages and moves them through `PackageState`, recording every step in their timeline.
public struct PackageStore: Sendable {
    public let database: SharedDatabase

    public init(database: SharedDatabase) { self.database = database }

    /// Records a claimed package in state `received`. Idempotent by id (a restart re-claiming the same
    /// work folder gets the existing record back).
    @discardableResult
    public func receive(id: String, account: String, source: String, workPath: String, now: String) throws -> PackageRecord {
        try database.withDatabase { db in
            try db.transaction {
                if let existing = try Self.find(db, id) { return existing }
                _ = try db.run("""
                    INSERT INTO packages (id, account, source, work_path, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, .text(id), .text(account), .text(source), .text(workPath), .text(PackageState.received.rawValue), .text(now), .text(now))
                _ = try db.run("INSERT INTO package_events (package_id, at, event, detail) VALUES (?, ?, 'received', ?)",
                               .text(id), .text(now), .text(source))
                return try Self.find(db, id)!
            }
        }
    }

    /// Applies `event`, storing the release summary and problems that come with it.
    @discardableResult
    public func transition(_ id: String, _ event: PackageState.Event, now: String, release: Release? = nil,
                           releaseJSON: String? = nil, problems: [Problem]? = nil, workPath: String? = nil,
                           detail: String? = nil) throws -> PackageRecord
    {
        try database.withDatabase { db in
            try db.transaction {
                guard let current = try Self.find(db, id) else { throw StoreError(.misuse, message: "no package \(id)") }
                let next = try current.state.applying(event)
                var sets = ["state = ?", "updated_at = ?"]
                var values: [SQLValue] = [.text(next.rawValue), .text(now)]
                if let release {
                    sets += ["release_id = ?", "title = ?", "display_artist = ?", "takedown = ?"]
                    values += [.text(release.primaryId), .text(release.title), .text(release.displayArtist), .integer(release.takedown ? 1 : 0)]
                }
                if let releaseJSON { sets.append("release_json = ?"); values.append(.text(releaseJSON)) }
                if let problems {
                    sets.append("problems_json = ?")
                    values.append(.text(String(decoding: try JSONEncoder().encode(problems), as: UTF8.self)))
                }
                if let workPath { sets.append("work_path = ?"); values.append(.text(workPath)) }
                values.append(.text(id))
                let s = try db.prepare("UPDATE packages SET \(sets.joined(separator: ", ")) WHERE id = ?")
                try s.bind(values)
                try s.run()
                _ = try db.run("INSERT INTO package_events (package_id, at, event, detail) VALUES (?, ?, ?, ?)",
                               .text(id), .text(now), .text(next.rawValue), .text(detail))
                return try Self.find(db, id)!
            }
        }
    }

    /// Adds a timeline entry without changing the state (a DSP's progress, an acknowledgement).
    public func record(_ id: String, _ event: PackageEvent) throws {
        try database.withDatabase { db in
            _ = try db.run("INSERT INTO package_events (package_id, at, event, dsp, detail) VALUES (?, ?, ?, ?, ?)",
                           .text(id), .text(event.at), .text(event.event), .text(event.dsp), .text(event.detail))
        }
    }

    public func package(_ id: String) throws -> PackageRecord? {
        try database.withDatabase { db in try Self.find(db, id) }
    }

    public func packages(in states: [PackageState]) throws -> [PackageRecord] {
        try database.withDatabase { db in
            let list = states.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            let s = try db.prepare("SELECT id FROM packages WHERE state IN (\(list)) ORDER BY created_at, id")
            var ids: [String] = []
            while try s.step() { ids.append(s.string(at: 0) ?? "") }
            return try ids.compactMap { try Self.find(db, $0) }
        }
    }

    public func timeline(_ id: String) throws -> [PackageEvent] {
        try database.withDatabase { db in
            let s = try db.prepare("SELECT at, event, dsp, detail FROM package_events WHERE package_id = ? ORDER BY id")
            try s.bind([.text(id)])
            var out: [PackageEvent] = []
            while try s.step() {
                out.append(PackageEvent(at: s.string(at: 0) ?? "", event: s.string(at: 1) ?? "", dsp: s.string(at: 2), detail: s.string(at: 3)))
            }
            return out
        }
    }

    /// Counts of packages per state.
    public func counts() throws -> [PackageState: Int] {
        try database.withDatabase { db in
            let s = try db.prepare("SELECT state, COUNT(*) FROM packages GROUP BY state")
            var out: [PackageState: Int] = [:]
            while try s.step() {
                if let state = PackageState(rawValue: s.string(at: 0) ?? "") { out[state] = s.int(at: 1) }
            }
            return out
        }
    }

    static func find(_ db: Database, _ id: String) throws -> PackageRecord? {
        let s = try db.prepare("""
            SELECT id, account, source, work_path, state, release_id, title, display_artist, takedown, problems_json,
                   release_json, created_at, updated_at FROM packages WHERE id = ?
            """)
        try s.bind([.text(id)])
        guard try s.step() else { return nil }
        guard let state = PackageState(rawValue: s.string(at: 4) ?? "") else {
            throw StoreError(.decode, message: "package \(id) has an unknown state")
        }
        // A row that cannot be decoded is an error with a code, never a silent default.
        let problems: [Problem]
        do {
            problems = try JSONDecoder().decode([Problem].self, from: Data((s.string(at: 9) ?? "").utf8))
        } catch {
            throw StoreError(.decode, message: "package \(id): problems_json does not decode as problems: \(error)")
        }
        return PackageRecord(id: s.string(at: 0) ?? "", account: s.string(at: 1) ?? "", source: s.string(at: 2) ?? "",
                             workPath: s.string(at: 3) ?? "", state: state, releaseId: s.string(at: 5), title: s.string(at: 6),
                             displayArtist: s.string(at: 7), takedown: s.int64(at: 8) != 0, problems: problems,
                             releaseJSON: s.string(at: 10), createdAt: s.string(at: 11) ?? "", updatedAt: s.string(at: 12) ?? "")
    }
}

/// Remembers every MessageId issued per sender, so none is ever reused (DDEX: unique with the sender's DPID).
public struct MessageIdStore: Sendable {
    public let database: SharedDatabase

    public init(database: SharedDatabase) { self.database = database }

    /// Records `messageId` for `sender`; false when it was issued before (the caller must pick another).
    public func claim(sender: String, messageId: String, now: String) throws -> Bool {
        try database.withDatabase { db in
            _ = try db.run("INSERT OR IGNORE INTO message_ids (sender, message_id, created_at) VALUES (?, ?, ?)",
                           .text(sender), .text(messageId), .text(now))
            return db.changes == 1
        }
    }
}
