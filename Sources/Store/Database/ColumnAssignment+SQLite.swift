import Foundation
import GRDB

extension GRDB.Database {
    /// `UPDATE table SET … WHERE id = ?`, the assignments spelt for SQLite.
    func update(_ table: String, _ assignments: [ColumnAssignment], id: some DatabaseValueConvertible) throws {
        var sets: [String] = []
        var values: [DatabaseValue] = []
        for assignment in assignments {
            switch assignment {
            case let .value(column, value):
                sets.append("\(column) = ?")
                values.append(value.databaseValue)
            case let .increment(column):
                sets.append("\(column) = \(column) + 1")
            }
        }
        values.append(id.databaseValue)
        try execute(sql: "UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE id = ?", arguments: StatementArguments(values))
    }
}

extension SQLValue {
    /// The value as GRDB binds it.
    var databaseValue: DatabaseValue {
        switch self {
        case let .integer(value): value.databaseValue
        case let .real(value): value.databaseValue
        case let .text(value): value.databaseValue
        case let .blob(bytes): Data(bytes).databaseValue
        case .null: .null
        }
    }
}
