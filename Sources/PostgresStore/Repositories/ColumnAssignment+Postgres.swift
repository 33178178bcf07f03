import PostgresNIO
import Store

extension PostgresSession {
    /// `UPDATE table SET … WHERE id = $n`, the assignments spelt for PostgreSQL; returns how many rows changed.
    @discardableResult
    func update(_ table: String, _ assignments: [ColumnAssignment], id: some PostgresDynamicTypeEncodable) throws(StoreError) -> Int {
        var sets: [String] = []
        var values: [(any PostgresDynamicTypeEncodable)?] = []
        for assignment in assignments {
            switch assignment {
            case let .value(column, value):
                values.append(value.postgresValue)
                sets.append("\(column) = $\(values.count)")
            case let .increment(column):
                sets.append("\(column) = \(column) + 1")
            }
        }
        values.append(id)
        return try execute("UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE id = $\(values.count)", values)
    }
}

extension SQLValue {
    /// The value as postgres-nio binds it (nil: NULL, typed by the column it is assigned to).
    var postgresValue: (any PostgresDynamicTypeEncodable)? {
        switch self {
        case let .integer(value): value
        case let .real(value): value
        case let .text(value): value
        case let .blob(bytes): ByteBuffer(bytes: bytes)
        case .null: nil
        }
    }
}
