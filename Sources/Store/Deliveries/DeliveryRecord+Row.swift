import DDEXModel
import GRDB

extension DeliveryRecord: FetchableRecord {
    /// Decodes a `deliveries` row by column name, on either engine; `STORE_DECODE` for an unknown state or kind.
    public init(row: some StoredRow) throws(StoreError) {
        let t = "deliveries"
        id = try row.integer("id", in: t)
        packageId = try row.text("package_id", in: t)
        dsp = try row.text("dsp", in: t)
        releaseId = try row.text("release_id", in: t)
        kind = try row.enumeration("kind", in: t)
        state = try row.enumeration("state", in: t)
        batchId = try row.text("batch_id", in: t)
        messageId = try row.text("message_id", in: t)
        bundlePath = try row.text("bundle_path", in: t)
        remoteFolder = try row.text("remote_folder", in: t)
        attempts = try row.int("attempts", in: t)
        nextAttemptAt = try row.optionalDouble("next_attempt_at", in: t)
        lastErrorCode = try row.optionalText("last_error_code", in: t)
        lastErrorMessage = try row.optionalText("last_error_message", in: t)
        ackStatus = try row.optionalText("ack_status", in: t)
        ackText = try row.optionalText("ack_text", in: t)
        ackFile = try row.optionalText("ack_file", in: t)
        ackAt = try row.optionalText("ack_at", in: t)
        ackCheckedAt = try row.optionalDouble("ack_checked_at", in: t)
        createdAt = try row.text("created_at", in: t)
        updatedAt = try row.text("updated_at", in: t)
    }

    /// How many deliveries each DSP has in each state, from the rows of
    /// `SELECT dsp, state, count(*) AS count … GROUP BY dsp, state`.
    package static func stateCounts(_ rows: [some StoredRow]) throws(StoreError) -> [String: [DeliveryState: Int]] {
        var counts: [String: [DeliveryState: Int]] = [:]
        for row in rows {
            let dsp = try row.text("dsp", in: "deliveries")
            counts[dsp, default: [:]][try row.enumeration("state", in: "deliveries")] = try row.int("count", in: "deliveries")
        }
        return counts
    }

    /// A delivery whose acknowledgement folder is due to be listed, from a row of `SELECT id, remote_folder …`.
    package static func ackListing(_ row: some StoredRow) throws(StoreError) -> (id: Int64, remoteFolder: String) {
        (id: try row.integer("id", in: "deliveries"), remoteFolder: try row.text("remote_folder", in: "deliveries"))
    }
}

extension DeliveryFile: FetchableRecord {
    /// Decodes a `delivery_files` row by column name, on either engine; `STORE_DECODE` for an unknown role.
    public init(row: some StoredRow) throws(StoreError) {
        let t = "delivery_files"
        seq = try row.int("seq", in: t)
        role = try row.enumeration("role", in: t)
        localPath = try row.text("local_path", in: t)
        remotePath = try row.text("remote_path", in: t)
        size = try row.byteCount("size", in: t)
        placed = try row.flag("placed", in: t)
    }
}
