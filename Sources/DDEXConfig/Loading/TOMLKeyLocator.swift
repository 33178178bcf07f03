/// Finds the line on which each key of a TOML document is defined.
///
/// TOMLKit reports lines for syntax errors only; operators also need the line of a key whose value is
/// wrong. This scans the text for table headers (`[a.b]`, `[[a]]`) and `key =` assignments (bare, quoted
/// and dotted keys) and records `dotted.path → line`. Values spanning lines (multi-line arrays and strings)
/// are skipped so their contents are not mistaken for keys.
struct TOMLKeyLocator: Sendable {
    private(set) var lines: [String: Int] = [:]

    init(text: String) {
        var table: [String] = []
        var arrayCounters: [String: Int] = [:]
        var depth = 0                 // open brackets/braces of a value spanning lines
        var multilineString: String?  // the delimiter of an open multi-line string
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if let delimiter = multilineString {
                if line.contains(delimiter) { multilineString = nil }
                continue
            }
            if depth > 0 {
                depth += TOMLKeyLocator.bracketBalance(line)
                continue
            }
            line = line.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                let name = TOMLKeyLocator.splitKey(line.dropFirst(2).prefix(while: { $0 != "]" }))
                let joined = name.joined(separator: ".")
                let n = arrayCounters[joined, default: 0]
                arrayCounters[joined] = n + 1
                table = name + ["\(n)"]
                lines[table.joined(separator: ".")] = lineNumber
                continue
            }
            if line.hasPrefix("[") {
                table = TOMLKeyLocator.splitKey(line.dropFirst().prefix(while: { $0 != "]" }))
                lines[table.joined(separator: ".")] = lineNumber
                continue
            }
            guard let eq = TOMLKeyLocator.assignmentIndex(line) else { continue }
            let key = TOMLKeyLocator.splitKey(line[..<eq])
            let path = (table + key).joined(separator: ".")
            if lines[path] == nil { lines[path] = lineNumber }
            let value = line[line.index(after: eq)...]
            for delimiter in ["\"\"\"", "'''"] where value.contains(delimiter) {
                if value.components(separatedBy: delimiter).count == 2 { multilineString = delimiter }
            }
            depth = max(0, TOMLKeyLocator.bracketBalance(value))
        }
    }

    /// The line of `path` (e.g. `dsps.spotify.ern_version`), or of its nearest enclosing table.
    func line(of path: [String]) -> Int? {
        var candidate = path
        while !candidate.isEmpty {
            if let line = lines[candidate.joined(separator: ".")] { return line }
            candidate.removeLast()
        }
        return nil
    }

    private static func assignmentIndex(_ line: Substring) -> Substring.Index? {
        var quote: Character?
        for index in line.indices {
            let c = line[index]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "=" {
                return index
            }
        }
        return nil
    }

    private static func splitKey(_ key: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for c in key {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "." {
                parts.append(current.trimmingSpaces)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current.trimmingSpaces)
        return parts
    }

    /// Opening minus closing brackets outside strings and comments.
    private static func bracketBalance(_ text: Substring) -> Int {
        var balance = 0
        var quote: Character?
        for c in text {
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "#": return balance
            case "[", "{": balance += 1
            case "]", "}": balance -= 1
            default: break
            }
        }
        return balance
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
