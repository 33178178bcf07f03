import Foundation
import DDEXModel

/// Reads typed fields out of parsed JSON while collecting every problem with its file, line and field path.
///
/// Locations look like `release.json:14: tracks[2].isrc` (array indexes count from 0, as in JSONPath and jq).
/// Absent and `null` mean the same: an optional field left out.
final class JSONFieldReader {
    let file: String
    private(set) var problems: [Problem] = []

    init(file: String) { self.file = file }

    func location(_ path: String, _ node: JSONValue?) -> String {
        let where_ = path.isEmpty ? "(top level)" : path
        guard let node else { return "\(file): \(where_)" }
        return "\(file):\(node.line): \(where_)"
    }

    func report(_ code: ProblemCode, _ path: String, _ node: JSONValue?, _ message: String) {
        problems.append(Problem(code, .error, at: location(path, node), message))
    }

    func warn(_ code: ProblemCode, _ path: String, _ node: JSONValue?, _ message: String) {
        problems.append(Problem(code, .warning, at: location(path, node), message))
    }

    func add(_ problem: Problem) {
        problems.append(problem)
    }

    func report(_ error: IdentifierError, _ path: String, _ node: JSONValue?) {
        problems.append(error.problem(at: location(path, node)))
    }

    var hasErrors: Bool { problems.hasErrors }

    /// An object's members by key, with duplicate and unknown keys reported.
    struct Object {
        let path: String
        let node: JSONValue
        let members: [String: JSONValue]

        func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    }

    func object(_ node: JSONValue, _ path: String, known: Set<String>) -> Object? {
        guard case .object(let list) = node.kind else {
            report(.jsonType, path, node, "must be an object, found \(node.typeName)")
            return nil
        }
        var members: [String: JSONValue] = [:]
        for m in list {
            let p = path.isEmpty ? m.key : "\(path).\(m.key)"
            if members[m.key] != nil {
                report(.jsonDuplicateKey, p, m.value, "the key '\(m.key)' appears more than once in this object")
                continue
            }
            members[m.key] = m.value
            if !known.contains(m.key) {
                let hint = known.first { $0.lowercased() == m.key.lowercased() }.map { " (did you mean '\($0)'?)" } ?? ""
                warn(.jsonUnknownField, p, m.value, "unknown field '\(m.key)' is ignored\(hint)")
            }
        }
        return Object(path: path, node: node, members: members)
    }

    /// The member, or nil when absent or null; reports `FIELD_REQUIRED` when required.
    func member(_ o: Object, _ key: String, required: Bool) -> JSONValue? {
        guard let v = o.members[key], !v.isNull else {
            if required { report(.fieldRequired, o.path(key), o.members[key] ?? o.node, "'\(key)' is required") }
            return nil
        }
        return v
    }

    /// A string, trimmed. Free text (`isText`) must pass `TextRules` (no control characters, a length cap);
    /// file paths are left to the path rules, which refuse control characters with `PATH_INVALID`.
    func string(_ o: Object, _ key: String, required: Bool, isText: Bool = true) -> String? {
        guard let v = member(o, key, required: required) else { return nil }
        guard case .string(let s) = v.kind else {
            report(.jsonType, o.path(key), v, "must be a string, found \(v.typeName)")
            return nil
        }
        let trimmed = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { report(.fieldRequired, o.path(key), v, "'\(key)' must not be empty") }
            return nil
        }
        if isText, let problem = TextRules.problem(trimmed, field: o.path(key), at: location(o.path(key), v)) {
            add(problem)
            return nil
        }
        return trimmed
    }

    func int(_ o: Object, _ key: String, required: Bool, range: ClosedRange<Int>, rangeCode: ProblemCode = .valueOutOfRange) -> Int? {
        guard let v = member(o, key, required: required) else { return nil }
        return int(v, o.path(key), range: range, rangeCode: rangeCode)
    }

    func int(_ v: JSONValue, _ path: String, range: ClosedRange<Int>, rangeCode: ProblemCode = .valueOutOfRange) -> Int? {
        guard case .number(let text) = v.kind else {
            report(.jsonType, path, v, "must be a whole number, found \(v.typeName)")
            return nil
        }
        guard let n = Int(text) else {
            report(.jsonType, path, v, "must be a whole number, found \(text)")
            return nil
        }
        guard range.contains(n) else {
            report(rangeCode, path, v, "\(n) is outside \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return n
    }

    func bool(_ o: Object, _ key: String) -> Bool? {
        guard let v = member(o, key, required: false) else { return nil }
        guard case .bool(let b) = v.kind else {
            report(.jsonType, o.path(key), v, "must be true or false, found \(v.typeName)")
            return nil
        }
        return b
    }

    /// The array's elements with their paths (`tracks[0]`, …).
    func array(_ o: Object, _ key: String, required: Bool, nonEmpty: Bool = false) -> [(value: JSONValue, path: String)]? {
        guard let v = member(o, key, required: required) else { return nil }
        guard case .array(let items) = v.kind else {
            report(.jsonType, o.path(key), v, "must be an array, found \(v.typeName)")
            return nil
        }
        if nonEmpty, items.isEmpty { report(.fieldRequired, o.path(key), v, "'\(key)' must hold at least one entry") }
        return items.enumerated().map { ($0.element, "\(o.path(key))[\($0.offset)]") }
    }

    /// A validated identifier or value (ISRC, Territory, PartialDate via `parse`), reporting its own problem code.
    func identifier<T>(_ o: Object, _ key: String, required: Bool, _ parse: (String) throws(IdentifierError) -> T) -> T? {
        guard let v = member(o, key, required: required) else { return nil }
        return identifier(v, o.path(key), parse)
    }

    func identifier<T>(_ v: JSONValue, _ path: String, _ parse: (String) throws(IdentifierError) -> T) -> T? {
        guard case .string(let s) = v.kind else {
            report(.jsonType, path, v, "must be a string, found \(v.typeName)")
            return nil
        }
        do {
            return try parse(s)
        } catch {
            report(error, path, v)
            return nil
        }
    }

    /// A string that must be one of a DDEX allowed-value set.
    func allowed(_ o: Object, _ key: String, required: Bool, in values: Set<String>, what: String) -> String? {
        guard let v = member(o, key, required: required) else { return nil }
        return allowed(v, o.path(key), in: values, what: what)
    }

    func allowed(_ v: JSONValue, _ path: String, in values: Set<String>, what: String) -> String? {
        guard case .string(let s) = v.kind else {
            report(.jsonType, path, v, "must be a string, found \(v.typeName)")
            return nil
        }
        guard values.contains(s) else {
            let hint = values.first { $0.lowercased() == s.lowercased() }.map { " (did you mean '\($0)'?)" } ?? ""
            report(.valueNotAllowed, path, v, "'\(TextRules.escaped(s))' is not a DDEX \(what)\(hint)")
            return nil
        }
        return s
    }
}
