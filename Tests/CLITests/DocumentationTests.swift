import Foundation
import TestSupport
import XCTest

/// The README is the reference for operators: it must stay true to the code.
final class DocumentationTests: XCTestCase {
    private let readme = (try? String(contentsOf: RepositoryPaths.root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""

    /// Every stable code the sources declare (`"SOME_CODE"` in a code declaration) is listed in the README.
    func testEveryErrorAndProblemCodeIsListedInTheREADME() throws {
        let sources = RepositoryPaths.root.appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(pattern: #"(?:ProblemCode = |case [a-zA-Z]+ = |code: |ProblemCode\(rawValue: |\.error\(|\.warning\(|CodedError.*|kind: )"([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)""#)
        var codes: Set<String> = []
        let enumerator = FileManager.default.enumerator(atPath: sources.path)
        while let path = enumerator?.nextObject() as? String {
            guard path.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                codes.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        XCTAssertGreaterThan(codes.count, 150, "the scan found the codes")
        let missing = codes.filter { !readme.contains("`\($0)`") }.sorted()
        XCTAssertEqual(missing, [], "codes the README does not list")
    }

    func testTheREADMEHasTheRunAndTestCommandsAndEveryCommand() throws {
        XCTAssertTrue(readme.contains("<!-- run-command -->"))
        XCTAssertTrue(readme.contains("<!-- test-command -->"))
        let help = try CommandRunner.run(CommandRunner.ddexd, ["--help"]).stdout
        // Subcommand lines are indented by two spaces; wrapped descriptions by more.
        let commands = help.split(separator: "\n").drop { !$0.contains("SUBCOMMANDS") }.dropFirst()
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }.filter { $0 != "help" && $0 != "See" }
        XCTAssertGreaterThan(commands.count, 5, help)
        for command in commands {
            XCTAssertTrue(readme.contains("`ddexd \(command)"), "ddexd \(command) is not in the README's command table")
        }
    }
}
