import DDEXModel
import TOMLKit

/// Reads typed values out of one TOML table, collecting a located problem for every bad or missing key
/// and for every key nobody asked for (usually a typo).
///
/// Not Sendable: TOMLKit's tables are C++-backed reference types used on one thread while loading.
final class TableReader {
    let table: TOMLTable
    let path: [String]
    let file: String
    let locator: TOMLKeyLocator
    let problems: ProblemCollector
    private var consumed: Set<String> = []

    init(table: TOMLTable, path: [String], file: String, locator: TOMLKeyLocator, problems: ProblemCollector) {
        self.table = table
        self.path = path
        self.file = file
        self.locator = locator
        self.problems = problems
    }

    func location(_ key: String? = nil) -> String {
        let keyPath = path + (key.map { [$0] } ?? [])
        let line = locator.line(of: keyPath).map { ":\($0)" } ?? ""
        return "\(file)\(line): \(keyPath.isEmpty ? "(top level)" : keyPath.joined(separator: "."))"
    }

    func report(_ code: ProblemCode, _ key: String?, _ message: String) {
        problems.add(.error(code, at: location(key), message))
    }

    private func value(_ key: String, required: Bool) -> TOMLValueConvertible? {
        consumed.insert(key)
        guard let v = table[key] else {
            if required { report(.configMissingKey, key, "required key '\(key)' is missing") }
            return nil
        }
        return v
    }

    private func wrongType(_ key: String, _ expected: String, _ actual: TOMLValueConvertible) {
        report(.configWrongType, key, "must be \(expected), not \(actual.type)")
    }

    func string(_ key: String, required: Bool = false) -> String? {
        guard let v = value(key, required: required) else { return nil }
        guard let s = v.string else { wrongType(key, "a string", v); return nil }
        return s
    }

    func int(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil) -> Int? {
        guard let v = value(key, required: required) else { return nil }
        guard let i = v.int else { wrongType(key, "an integer", v); return nil }
        if let range, !range.contains(i) {
            report(.configInvalidValue, key, "\(i) is outside \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return i
    }

    func double(_ key: String, required: Bool = false) -> Double? {
        guard let v = value(key, required: required) else { return nil }
        if let d = v.double { return d }
        if let i = v.int { return Double(i) }
        wrongType(key, "a number", v)
        return nil
    }

    func bool(_ key: String, required: Bool = false) -> Bool? {
        guard let v = value(key, required: required) else { return nil }
        guard let b = v.bool else { wrongType(key, "true or false", v); return nil }
        return b
    }

    func stringArray(_ key: String, required: Bool = false) -> [String]? {
        guard let v = value(key, required: required) else { return nil }
        guard let array = v.array else { wrongType(key, "an array of strings", v); return nil }
        var out: [String] = []
        for (i, element) in array.enumerated() {
            guard let s = element.string else {
                report(.configWrongType, key, "element \(i + 1) must be a string, not \(element.type)")
                return nil
            }
            out.append(s)
        }
        return out
    }

    func intArray(_ key: String, required: Bool = false) -> [Int]? {
        guard let v = value(key, required: required) else { return nil }
        guard let array = v.array else { wrongType(key, "an array of integers", v); return nil }
        var out: [Int] = []
        for (i, element) in array.enumerated() {
            guard let n = element.int else {
                report(.configWrongType, key, "element \(i + 1) must be an integer, not \(element.type)")
                return nil
            }
            out.append(n)
        }
        return out
    }

    /// A sub-table reader, or nil (with a problem if it exists but is not a table, or is required and missing).
    func table(_ key: String, required: Bool = false) -> TableReader? {
        guard let v = value(key, required: required) else { return nil }
        guard let t = v.table else { wrongType(key, "a table", v); return nil }
        return TableReader(table: t, path: path + [key], file: file, locator: locator, problems: problems)
    }

    /// A value parsed by `parse`, which throws `IdentifierError` for invalid input.
    func parsed<T>(_ key: String, required: Bool = false, _ parse: (String) throws(IdentifierError) -> T) -> T? {
        guard let s = string(key, required: required) else { return nil }
        do { return try parse(s) } catch {
            report(.configInvalidValue, key, error.description)
            return nil
        }
    }

    /// One of the raw values of a string enum.
    func choice<E: RawRepresentable & CaseIterable>(_ key: String, default value: E) -> E where E.RawValue == String {
        validChoice(key, default: value) ?? value
    }

    /// One of the raw values of a string enum, `value` when the key is absent, nil (reported) when it is none of them:
    /// for a choice that decides how the rest of the table is read.
    func validChoice<E: RawRepresentable & CaseIterable>(_ key: String, default value: E) -> E? where E.RawValue == String {
        guard let s = string(key) else { return table[key] == nil ? value : nil }
        guard let e = E(rawValue: s) else {
            report(.configInvalidValue, key, "'\(s)' is not one of \(E.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
            return nil
        }
        return e
    }

    /// Whether the table has `key`, which counts as read (a caller that refuses the key reports it, not as unknown).
    func contains(_ key: String) -> Bool {
        consumed.insert(key)
        return table[key] != nil
    }

    /// Every key of this table that was never read is reported: it is most likely a typo.
    func rejectUnknownKeys() {
        for key in table.keys.sorted() where !consumed.contains(key) {
            report(.configUnknownKey, key, "unknown key '\(key)'")
        }
    }
}

/// Collects problems across readers (a reference so nested readers share it).
final class ProblemCollector {
    private(set) var problems: [Problem] = []
    func add(_ problem: Problem) { problems.append(problem) }
}

extension ProblemCode {
    public static let configUnreadable: ProblemCode = "CONFIG_UNREADABLE"
    public static let configSyntax: ProblemCode = "CONFIG_SYNTAX"
    public static let configMissingKey: ProblemCode = "CONFIG_MISSING_KEY"
    public static let configWrongType: ProblemCode = "CONFIG_WRONG_TYPE"
    public static let configInvalidValue: ProblemCode = "CONFIG_INVALID_VALUE"
    public static let configUnknownKey: ProblemCode = "CONFIG_UNKNOWN_KEY"
}
