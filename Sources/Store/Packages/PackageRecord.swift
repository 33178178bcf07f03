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
    /// Decodes a `packages` row by column name; `STORE_DECODE` for an unknown state or problems that are not JSON.
    public init(row: Row) throws {
        id = try row.value("id", in: "packages")
        account = try row.value("account", in: "packages")
        source = try row.value("source", in: "packages")
        workPath = try row.value("work_path", in: "packages")
        state = try row.enumeration("state", in: "packages")
        releaseId = try row.optionalValue("release_id", in: "packages")
        title = try row.optionalValue("title", in: "packages")
        displayArtist = try row.optionalValue("display_artist", in: "packages")
        takedown = try row.value("takedown", in: "packages")
        let problemsJSON: String = try row.value("problems_json", in: "packages")
        do {
            problems = try JSONDecoder().decode([Problem].self, from: Data(problemsJSON.utf8))
        } catch {
            throw StoreError(.decode, message: "package \(id): problems_json does not decode as problems: \(error)")
        }
        releaseJSON = try row.optionalValue("release_json", in: "packages")
        createdAt = try row.value("created_at", in: "packages")
        updatedAt = try row.value("updated_at", in: "packages")
    }
}

extension PackageEvent: FetchableRecord {
    /// Decodes a `package_events` row by column name.
    public init(row: Row) throws {
        at = try row.value("at", in: "package_events")
        event = try row.value("event", in: "package_events")
        dsp = try row.optionalValue("dsp", in: "package_events")
        detail = try row.optionalValue("detail", in: "package_events")
    }
}
