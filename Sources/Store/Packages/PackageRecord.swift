import DDEXModel
import Foundation
import GRDB

/// One package as stored (`packages`).
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

/// A timeline entry of a package (`package_events`).
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

extension PackageRecord: FetchableRecord {
    /// Decodes a `packages` row by column name, on either engine; `STORE_DECODE` for an unknown state or problems
    /// that are not JSON.
    public init(row: some StoredRow) throws(StoreError) {
        let t = "packages"
        id = try row.text("id", in: t)
        account = try row.text("account", in: t)
        source = try row.text("source", in: t)
        workPath = try row.text("work_path", in: t)
        state = try row.enumeration("state", in: t)
        releaseId = try row.optionalText("release_id", in: t)
        title = try row.optionalText("title", in: t)
        displayArtist = try row.optionalText("display_artist", in: t)
        takedown = try row.flag("takedown", in: t)
        let problemsJSON = try row.text("problems_json", in: t)
        do {
            problems = try JSONDecoder().decode([Problem].self, from: Data(problemsJSON.utf8))
        } catch {
            throw StoreError(.decode, message: "package \(id): problems_json does not decode as problems: \(error)")
        }
        releaseJSON = try row.optionalText("release_json", in: t)
        createdAt = try row.text("created_at", in: t)
        updatedAt = try row.text("updated_at", in: t)
    }

    /// How many packages are in each state, from the rows of `SELECT state, count(*) AS count … GROUP BY state`.
    package static func stateCounts(_ rows: [some StoredRow]) throws(StoreError) -> [PackageState: Int] {
        var counts: [PackageState: Int] = [:]
        for row in rows {
            counts[try row.enumeration("state", in: "packages")] = try row.int("count", in: "packages")
        }
        return counts
    }
}

extension PackageEvent: FetchableRecord {
    /// Decodes a `package_events` row by column name, on either engine.
    public init(row: some StoredRow) throws(StoreError) {
        at = try row.text("at", in: "package_events")
        event = try row.text("event", in: "package_events")
        dsp = try row.optionalText("dsp", in: "package_events")
        detail = try row.optionalText("detail", in: "package_events")
    }
}
