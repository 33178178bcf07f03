@testable import DDEXConfig
import XCTest

/// The grammar check that keeps malformed TOML away from toml++, which aborts on some of it. Its verdicts were
/// also compared with Python's `tomllib` (a strict TOML 1.0 parser) over the fuzzers' 4,900 corpus files: the
/// two agreed on every one.
final class TOMLSyntaxCheckTests: XCTestCase {
    func testValidTOMLPasses() {
        let valid = [
            "", "# only a comment\n", "a = 1", "a = 1\r\nb = 2\r\n", "a.b . c = 'x'", "\"quoted key\" = true",
            "'literal key' = false", "[table]\n[ table.sub ]\n[[array]]\n[[ array ]]", "[\"a.b\".'c']",
            "i = [+1, -0, 1_000, 0xDEAD_beef, 0o755, 0b1010]", "f = [1.0, -3.5e-2, 6E+4, 1_0.0_1, inf, -inf, +nan, 0e0]",
            "d = [1979-05-27T07:32:00Z, 1979-05-27 07:32:00.999-07:00, 1979-05-27T07:32:00, 1979-05-27, 07:32:00.5]",
            "s = \"tab\\t quote\\\" \\u00E9 \\U0001F600\"", "m = \"\"\"\nline\n  \\\n  continued \"\" \"\"\"\"", "l = '''\n[#x\n'''''",
            "a = [\n  1, # one\n  [2, [3]],\n  { b = 'c', d.e = [4,\n 5] },\n]", "t = {}", "t = { a = 1, b = { c = 2 } }",
            "a = 1 # comment with \u{E9}\n",
        ]
        for text in valid {
            XCTAssertNil(TOMLSyntaxCheck.firstError(in: text), text)
        }
    }

    func testMalformedTOMLIsNamedWithLineAndColumn() {
        let cases: [(String, Int, Int, String)] = [
            ("[#x]", 1, 2, "expected a key (bare or quoted), saw '#'"),
            ("a = 1\n[[[a]]]", 2, 3, "expected a key (bare or quoted), saw '['"),
            ("[a]]", 1, 4, "expected the end of the line, saw ']'"),
            ("[[a] ]", 1, 5, "to close the array-of-tables header"),
            ("a = [1,,2]", 1, 8, "expected a value, saw ','"),
            ("a = [1 2]", 1, 8, "expected ',' or ']' in the array, saw '2'"),
            ("a = { b = 1, }", 1, 14, "expected a key (bare or quoted), saw '}'"),
            ("a = { b = 1\n}", 1, 12, "expected ',' or '}' in the inline table, saw the end of the line"),
            ("a = ", 1, 5, "expected a value, saw the end of the file"),
            ("a = 01", 1, 5, "'01' is not a TOML number, date or time"),
            ("a = 1__0", 1, 5, "is not a TOML number"),
            ("a = +0x1", 1, 5, "is not a TOML number"),
            ("a = 1979-13-1", 1, 5, "is not a TOML number"),
            ("a = \"open\nb = 1", 1, 10, "is not closed on its line"),
            ("a = \"\\q\"", 1, 7, "\\'q' is not an escape sequence"),
            ("a = \"\\uD800\"", 1, 7, "names no Unicode scalar value"),
            ("a = '''never closed", 1, 5, "not closed before the end of the file"),
            ("a = \"\u{01}\"", 1, 6, "control character"),
            ("a = 1 # \u{7F}", 1, 9, "in a comment"),
            ("a = 1\rb = 2", 1, 6, "carriage return"),
            ("a = truee", 1, 9, "expected a value, saw 'e'"),
            ("a = \"\"\"x\"\"\" = 1", 1, 13, "expected the end of the line"),
            ("\"\"\"k\"\"\" = 1", 1, 1, "a key cannot be a multi-line string"),
            ("é = 1", 1, 1, "saw U+00E9"),
        ]
        for (text, line, column, message) in cases {
            let finding = TOMLSyntaxCheck.firstError(in: text)
            XCTAssertEqual(finding?.line, line, text)
            XCTAssertEqual(finding?.column, column, "\(text): \(String(describing: finding))")
            XCTAssertTrue(finding?.message.contains(message) ?? false, "\(text): \(String(describing: finding))")
        }
    }

    /// Nesting is bounded, so a file of ten thousand `[` cannot exhaust the stack of the check.
    func testDeepNestingIsRefusedNotRecursedInto() {
        let text = "a = " + String(repeating: "[", count: 10_000)
        XCTAssertEqual(TOMLSyntaxCheck.firstError(in: text)?.message.contains("nested deeper than"), true)
        let fine = "a = " + String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        XCTAssertNil(TOMLSyntaxCheck.firstError(in: fine))
    }

    /// Every reproducer of a toml++ abort the fuzzers found is refused before TOMLKit sees it.
    func testFuzzReproducersAreRefused() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz")
        for path in ["config-toml/crash-header-comment", "config-toml/crash-header-equals", "config-toml/crash-header-third-bracket",
                     "config-toml/crash-array-value", "dsp-profile/crash-header-equals"] {
            let text = try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
            XCTAssertNotNil(TOMLSyntaxCheck.firstError(in: text), path)
        }
    }
}
