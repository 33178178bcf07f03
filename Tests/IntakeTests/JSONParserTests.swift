@testable import Intake
import XCTest

final class JSONParserTests: XCTestCase {
    func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

    func testValuesAndPositions() throws {
        let v = try parse("{\n  \"a\": [1, -2.5e3, true, null],\n  \"b\": \"x\\u00e9\\ud83c\\udfb5\\n\"\n}")
        guard case .object(let members) = v.kind else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["a", "b"])
        XCTAssertEqual(members[0].value.line, 2)
        XCTAssertEqual(members[1].value.line, 3)
        XCTAssertEqual(members[1].value.column, 8)
        guard case .string(let s) = members[1].value.kind else { return XCTFail("not a string") }
        XCTAssertEqual(s, "xé🎵\n")
        guard case .array(let items) = members[0].value.kind, case .number(let n) = items[1].kind else { return XCTFail() }
        XCTAssertEqual(n, "-2.5e3")
    }

    func testSyntaxErrorsCarryLineAndColumn() {
        let cases: [(String, Int, Int)] = [
            ("{\n  \"a\": [1, 2,]\n}", 2, 14),
            ("{\"a\" 1}", 1, 6),
            ("[01]", 1, 3),
            ("{\"a\": \"unterminated}", 1, 21),
            ("{\"a\": 1} x", 1, 10),
            ("{\"a\": tru}", 1, 7),
            ("\"\\ud800\"", 1, 8),
            ("{'a': 1}", 1, 2),
        ]
        for (text, line, column) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                guard let e = error as? JSONSyntaxError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.line, line, "\(text): \(e.message)")
                XCTAssertEqual(e.column, column, "\(text): \(e.message)")
            }
        }
    }

    func testDepthIsLimited() {
        XCTAssertThrowsError(try parse(String(repeating: "[", count: 100_000)))
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 60) + String(repeating: "]", count: 60)))
    }

    func testDuplicateKeysAreKept() throws {
        guard case .object(let m) = try parse("{\"a\":1,\"a\":2}").kind else { return XCTFail() }
        XCTAssertEqual(m.count, 2)
    }
}
