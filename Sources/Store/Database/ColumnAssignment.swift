import DDEXModel
import Foundation

/// One `column = …` of an `UPDATE`, decided once for both engines (which columns a transition writes, and with what),
/// each engine only spelling it in its dialect.
package enum ColumnAssignment: Sendable, Hashable {
    /// `column = value`.
    case value(String, SQLValue)
    /// `column = column + 1`, counted by the database in the same statement.
    case increment(String)
}

extension PackageChanges {
    /// What a package transition writes: the new state and time, then each change that is not nil.
    package func assignments(state: PackageState, now: String) throws -> [ColumnAssignment] {
        var assignments: [ColumnAssignment] = [.value("state", .text(state.rawValue)), .value("updated_at", .text(now))]
        if let release {
            assignments += [
                .value("release_id", .text(release.primaryId)), .value("title", .text(release.title)),
                .value("display_artist", .text(release.displayArtist)), .value("takedown", .integer(release.takedown ? 1 : 0)),
            ]
        }
        if let releaseJSON { assignments.append(.value("release_json", .text(releaseJSON))) }
        if let problems {
            assignments.append(.value("problems_json", .text(String(decoding: try JSONEncoder().encode(problems), as: UTF8.self))))
        }
        if let workPath { assignments.append(.value("work_path", .text(workPath))) }
        return assignments
    }
}

extension DeliveryChanges {
    /// What a delivery transition writes: the new state and time, one more attempt when an upload starts, then each
    /// change that is not nil (`.some(nil)` clears its columns).
    package func assignments(after event: DeliveryState.Event, state: DeliveryState, now: String) -> [ColumnAssignment] {
        var assignments: [ColumnAssignment] = [.value("state", .text(state.rawValue)), .value("updated_at", .text(now))]
        if event == .startUpload { assignments.append(.increment("attempts")) }
        if let nextAttemptAt { assignments.append(.value("next_attempt_at", nextAttemptAt.map(SQLValue.real) ?? .null)) }
        if let lastError {
            assignments += [.value("last_error_code", .text(lastError?.code)), .value("last_error_message", .text(lastError?.message))]
        }
        if let ack {
            assignments += [
                .value("ack_status", .text(ack.status)), .value("ack_text", .text(ack.text)),
                .value("ack_file", .text(ack.file)), .value("ack_at", .text(ack.at)),
            ]
        }
        return assignments
    }
}
