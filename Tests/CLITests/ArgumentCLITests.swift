import Foundation
import TestSupport
import XCTest

/// Options are typed at the boundary: a bad value is refused by the parser (exit 64) before any configuration is
/// read, with a message that says what is valid.
final class ArgumentCLITests: XCTestCase {
    private func refused(_ arguments: [String], saying expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try CommandRunner.run(CommandRunner.ddexd, arguments)
        XCTAssertEqual(result.status, 64, result.stdout + result.stderr, file: file, line: line)
        for text in expected {
            XCTAssertTrue(result.stderr.contains(text), "'\(text)' not in: \(result.stderr)", file: file, line: line)
        }
    }

    func testABadPeriodSaysWhichFormsAreValid() throws {
        try refused(["statements", "--period", "2026-13"],
                    saying: ["'2026-13'", "--period", "2026-Q4", "2026-10-01--2026-10-31"])
    }

    func testABadStatementFormatListsTheFormats() throws {
        try refused(["statements", "--period", "2026-10", "--format", "pdf"], saying: ["'pdf'", "--format", "'json'", "'csv'", "'html'"])
    }

    func testABadImportKindListsTheKinds() throws {
        try refused(["import", "royalties", "x.csv"], saying: ["'royalties'", "'catalog'", "'splits'", "'accounts'"])
        try refused(["import", "splits", "x.csv", "--account", "indie"], saying: ["--account applies to catalog imports only"])
    }

    func testABadOutputFormatListsTheFormats() throws {
        try refused(["status", "--format", "yaml"], saying: ["'yaml'", "'text'", "'json'"])
    }
}
