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

    /// The README's two commands work from a clone alone: they name nothing outside it.
    func testTheREADMECommandsNeedNothingBesideTheClone() throws {
        for marker in ["<!-- run-command -->", "<!-- test-command -->"] {
            let command = try XCTUnwrap(Self.command(after: marker, in: readme), marker)
            XCTAssertFalse(command.contains("../"), "\(marker) reaches outside the clone: \(command)")
            XCTAssertFalse(command.contains("shared/"), "\(marker) reaches outside the clone: \(command)")
        }
    }

    /// Every official sample copied into the repository is named in its NOTICE with its source.
    func testEveryCopiedSampleIsInItsNotice() throws {
        let folder = RepositoryPaths.samples
        let notice = try String(contentsOf: folder.appendingPathComponent("NOTICE"), encoding: .utf8)
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }
            .filter { $0.hasPrefix("ern43/") || $0.hasPrefix("dsr/") }
        XCTAssertGreaterThan(files.count, 15)
        for file in files { XCTAssertTrue(notice.contains(file), "NOTICE does not name \(file)") }
    }

    /// Every golden report folder is in Fixtures/README.md with the options it was made with, and in the
    /// script that regenerates them.
    func testEveryGoldenReportIsDocumentedWithItsOptions() throws {
        let fixturesReadme = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("README.md"), encoding: .utf8)
        let script = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("scripts/make-golden-fixtures"), encoding: .utf8)
        let folders = try FileManager.default.contentsOfDirectory(atPath: RepositoryPaths.fixtures.appendingPathComponent("dsrgen").path)
        XCTAssertGreaterThan(folders.count, 10)
        for name in folders {
            let report = GoldenReport(name)
            XCTAssertFalse(report.options.isEmpty, name)
            XCTAssertTrue(fixturesReadme.contains("| `\(name)` | `\(report.options)` |"), "Fixtures/README.md: \(name)")
            XCTAssertTrue(script.contains("\"\(name)|\(report.options)\""), "scripts/make-golden-fixtures: \(name)")
            XCTAssertFalse(report.reportFiles.isEmpty, name)
            XCTAssertNoThrow(try report.usageLineCount(), name)
        }
    }

    /// The first command line after `marker` in a fenced block.
    static func command(after marker: String, in text: String) -> String? {
        guard let range = text.range(of: marker) else { return nil }
        return text[range.upperBound...].split(separator: "\n").first { !$0.hasPrefix("```") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map(String.init)
    }
}
