import Store

/// `MessageIdRepository` on PostgreSQL: the primary key (sender, message id) decides, so of two instances claiming
/// the same MessageId at once exactly one gets true.
public struct PostgresMessageIdStore: MessageIdRepository {
    public let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    public func claim(sender: String, messageId: String, now: String) throws -> Bool {
        try database.write { session in
            try session.execute("""
                INSERT INTO message_ids (sender, message_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
                """, [sender, messageId, now]) == 1
        }
    }
}
