import Foundation
import Intake
import XCTest

/// The accounting oracle's check, as `dsrgen.py --verify` does it, over a golden `expected.json`.
///
/// Every key of the expected document is compared with the same key of the actual one. Numbers must be
/// equal JSON integers (`1.0` is not `1`, `1` is not `true`); an ISRC or payee listed on one side only
/// counts as 0 (an all-zero payee record) on the other; extra top-level keys of the actual document are
/// ignored; per-account figures are compared only when both documents have `accounts`, and an account
/// listed on one side only is compared with an empty one (without `commission_bp`).
public struct OracleCheck: Sendable {
    /// How many values matched.
    public private(set) var passed = 0
    /// One line per mismatch, in dsrgen's words: `MISMATCH <path>: expected X, actual Y`.
    public private(set) var mismatches: [String] = []
    /// Notes such as "per-account figures not checked".
    public private(set) var notes: [String] = []

    public var failed: Int { mismatches.count }
    /// `N passed, M failed`, dsrgen's last line.
    public var summary: String { "\(passed) passed, \(failed) failed" }

    static let payeeFields = ["earnings_micro", "opening_balance_micro", "recouped_micro", "payable_micro", "closing_balance_micro"]

    /// Compares the JSON at `actual` with the oracle at `expected`. An unreadable actual document is one failure.
    public static func verify(expected: URL, actual: URL) throws -> OracleCheck {
        let expectedValue = try JSONParser.parse([UInt8](Data(contentsOf: expected)), maxDepth: 16)
        var check = OracleCheck()
        guard let data = try? Data(contentsOf: actual), let actualValue = try? JSONParser.parse([UInt8](data), maxDepth: 16) else {
            check.mismatches.append("cannot read actual: \(actual.path)")
            return check
        }
        check.compareTop(Node(expectedValue), Node(actualValue))
        return check
    }

    /// Compares one account's own statement document (`ddexd statements --account NAME`) with `accounts.<NAME>` of the
    /// oracle: the same fields at its top level (`commission_bp`, `lines`, `total_micro`, `commission_micro`, `payees`,
    /// `invariant_holds`). An oracle without that account is one failure.
    public static func verify(account: String, fixture: GoldenReport, actual: URL) throws -> OracleCheck {
        let expectedValue = Node(try JSONParser.parse([UInt8](Data(contentsOf: fixture.expected)), maxDepth: 16))
        var check = OracleCheck()
        guard let own = expectedValue["accounts"]?[account] else {
            check.mismatches.append("MISMATCH accounts.\(account): not in the oracle")
            return check
        }
        guard let data = try? Data(contentsOf: actual), let actualValue = try? JSONParser.parse([UInt8](data), maxDepth: 16) else {
            check.mismatches.append("cannot read actual: \(actual.path)")
            return check
        }
        check.compareTop(own, Node(actualValue))
        return check
    }

    /// Compares a golden fixture folder's `expected.json` with `actual`.
    public static func verify(fixture: GoldenReport, actual: URL) throws -> OracleCheck {
        try verify(expected: fixture.expected, actual: actual)
    }

    private mutating func compareTop(_ expected: Node, _ actual: Node) {
        guard case .object(let actualMembers) = actual else {
            mismatches.append("MISMATCH actual: not a JSON object")
            return
        }
        guard case .object(let expectedMembers) = expected else { return }
        for (key, e) in expectedMembers {
            let a = actualMembers.first { $0.0 == key }?.1
            switch key {
            case "unmatched_by_isrc" where e.isObject:
                let listed = a ?? .object([])
                guard listed.isObject else { check(key, e, listed); continue }
                for isrc in Set(e.keys + listed.keys).sorted() {
                    check("\(key).\(isrc)", e[isrc] ?? .integer(0), listed[isrc] ?? .integer(0))
                }
            case "payees" where e.isObject:
                comparePayees(key, e, a ?? .object([]))
            case "accounts" where e.isObject:
                guard let a else {
                    notes.append("NOTE accounts: not in actual; per-account figures not checked")
                    continue
                }
                compareAccounts(e, a)
            default:
                check(key, e, a)
            }
        }
    }

    private mutating func comparePayees(_ path: String, _ e: Node, _ a: Node) {
        guard a.isObject else { check(path, e, a); return }
        let zero = Node.object(Self.payeeFields.map { ($0, .integer(0)) })
        for payee in Set(e.keys + a.keys).sorted() {
            let ep = e[payee] ?? zero
            let ap = a[payee] ?? zero
            guard ap.isObject else { check("\(path).\(payee)", ep, ap); continue }
            for field in ep.keys { check("\(path).\(payee).\(field)", ep[field], ap[field]) }
        }
    }

    private mutating func compareAccounts(_ e: Node, _ a: Node) {
        guard a.isObject else { check("accounts", e, a); return }
        let empty = Node.object([("lines", .integer(0)), ("total_micro", .integer(0)), ("commission_micro", .integer(0)),
                                 ("payees", .object([])), ("invariant_holds", .bool(true))])
        for name in e.keys + Set(a.keys).subtracting(e.keys).sorted() {
            let path = "accounts.\(name)"
            let ea = e[name] ?? empty
            let aa = a[name] ?? empty
            guard aa.isObject else { check(path, ea, aa); continue }
            for field in ea.keys {
                if field == "commission_bp", a[name] == nil { continue }
                if field == "payees", let ev = ea[field], ev.isObject {
                    comparePayees("\(path).payees", ev, aa[field] ?? .object([]))
                } else {
                    check("\(path).\(field)", ea[field], aa[field])
                }
            }
        }
    }

    private mutating func check(_ path: String, _ e: Node?, _ a: Node?) {
        if let e, let a, e == a {
            passed += 1
            return
        }
        var line = "MISMATCH \(path): expected \(e?.description ?? "null"), actual \(a?.description ?? "null")"
        if case .integer(let x)? = e, case .integer(let y)? = a {
            let difference = y - x
            line += " (actual - expected = \(difference >= 0 ? "+" : "")\(difference))"
        }
        mismatches.append(line)
    }

    /// A JSON value with integers told apart from other numbers, as Python's `json` does.
    indirect enum Node: Equatable, CustomStringConvertible {
        case null
        case bool(Bool)
        case integer(Int64)
        /// Any other number, kept as written.
        case number(String)
        case string(String)
        case array([Node])
        case object([(String, Node)])

        init(_ value: JSONValue) {
            switch value.kind {
            case .null: self = .null
            case .bool(let b): self = .bool(b)
            case .number(let text): self = Int64(text).map(Node.integer) ?? .number(text)
            case .string(let s): self = .string(s)
            case .array(let items): self = .array(items.map(Node.init))
            case .object(let members): self = .object(members.map { ($0.key, Node($0.value)) })
            }
        }

        var isObject: Bool { if case .object = self { true } else { false } }

        /// The object's keys in document order (the last of duplicates wins, as in Python).
        var keys: [String] {
            guard case .object(let members) = self else { return [] }
            var seen = Set<String>()
            return members.map(\.0).filter { seen.insert($0).inserted }
        }

        subscript(key: String) -> Node? {
            guard case .object(let members) = self else { return nil }
            return members.last { $0.0 == key }?.1
        }

        static func == (lhs: Node, rhs: Node) -> Bool {
            switch (lhs, rhs) {
            case (.null, .null): true
            case (.bool(let a), .bool(let b)): a == b
            case (.integer(let a), .integer(let b)): a == b
            case (.number(let a), .number(let b)): Double(a) == Double(b)
            case (.string(let a), .string(let b)): a == b
            case (.array(let a), .array(let b)): a == b
            case (.object, .object): lhs.keys.count == rhs.keys.count && lhs.keys.allSatisfy { lhs[$0] == rhs[$0] }
            default: false
            }
        }

        var description: String {
            switch self {
            case .null: "null"
            case .bool(let b): b ? "true" : "false"
            case .integer(let i): String(i)
            case .number(let text): text
            case .string(let s): "\"\(s)\""
            case .array(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
            case .object(let members): "{" + members.map { "\"\($0.0)\": \($0.1.description)" }.joined(separator: ", ") + "}"
            }
        }
    }
}

extension OracleCheck {
    /// Fails the calling test with dsrgen's mismatch lines unless everything matched, and unless the
    /// check compared more than `atLeast` values (a check of nothing proves nothing).
    public static func assertMatches(_ report: GoldenReport, actual: URL, account: String? = nil, atLeast: Int = 20,
                                     file: StaticString = #filePath, line: UInt = #line) throws
    {
        let check = try account.map { try verify(account: $0, fixture: report, actual: actual) } ?? verify(fixture: report, actual: actual)
        XCTAssertEqual(check.failed, 0, "oracle \(report): \(check.summary)\n\(check.mismatches.prefix(40).joined(separator: "\n"))",
                       file: file, line: line)
        XCTAssertGreaterThan(check.passed, atLeast, "the check compared too little: \(check.summary)", file: file, line: line)
    }
}
