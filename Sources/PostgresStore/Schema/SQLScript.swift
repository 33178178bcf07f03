import Foundation

/// Splits a script of SQL statements at the `;` that end them, outside quoted text and comments, and drops the
/// `--` comments and empty statements. Enough for ddexd's own migrations (no dollar-quoted function bodies).
enum SQLScript {
    static func statements(in script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var quote: Character?
        var iterator = Array(script).makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let character = pending { pending = nil; return character }
            return iterator.next()
        }
        while let character = next() {
            if let open = quote {
                current.append(character)
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                current.append(character)
            case "-":
                let following = next()
                if following == "-" {
                    while let skipped = next(), skipped != "\n" {}
                    current.append("\n")
                } else {
                    current.append(character)
                    pending = following
                }
            case ";":
                statements.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
