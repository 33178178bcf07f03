import GRDB

extension DeliveryRecord: FetchableRecord {
    /// Decodes a `deliveries` row by column name; `STORE_DECODE` for an unknown state or kind.
    public init(row: Row) throws {
        let t = "deliveries"
        id = try row.value("id", in: t)
        packageId = try row.value("package_id", in: t)
        dsp = try row.value("dsp", in: t)
        releaseId = try row.value("release_id", in: t)
        kind = try row.enumeration("kind", in: t)
        state = try row.enumeration("state", in: t)
        batchId = try row.value("batch_id", in: t)
        messageId = try row.value("message_id", in: t)
        bundlePath = try row.value("bundle_path", in: t)
        remoteFolder = try row.value("remote_folder", in: t)
        attempts = try row.value("attempts", in: t)
        nextAttemptAt = try row.optionalValue("next_attempt_at", in: t)
        lastErrorCode = try row.optionalValue("last_error_code", in: t)
        lastErrorMessage = try row.optionalValue("last_error_message", in: t)
        ackStatus = try row.optionalValue("ack_status", in: t)
        ackText = try row.optionalValue("ack_text", in: t)
        ackFile = try row.optionalValue("ack_file", in: t)
        ackAt = try row.optionalValue("ack_at", in: t)
        ackCheckedAt = try row.optionalValue("ack_checked_at", in: t)
        createdAt = try row.value("created_at", in: t)
        updatedAt = try row.value("updated_at", in: t)
    }
}

extension DeliveryFile: FetchableRecord {
    /// Decodes a `delivery_files` row by column name; `STORE_DECODE` for an unknown role.
    public init(row: Row) throws {
        let t = "delivery_files"
        seq = try row.value("seq", in: t)
        role = try row.enumeration("role", in: t)
        localPath = try row.value("local_path", in: t)
        remotePath = try row.value("remote_path", in: t)
        size = try row.byteCount("size", in: t)
        placed = try row.value("placed", in: t)
    }
}
