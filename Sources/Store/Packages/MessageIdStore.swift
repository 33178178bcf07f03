import GRDB

/// `MessageIdRepository` on the SQLite store.
public struct MessageIdStore: MessageIdRepository {
    public let database: StoreDatabase

    public init(database: StoreDatabase) { self.database = database }

    public func claim(sender: String, messageId: String, now: String) throws -> Bool {
        try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO message_ids (sender, message_id, created_at) VALUES (?, ?, ?)",
                           arguments: [sender, messageId, now])
            return db.changesCount == 1
        }
    }
}
