import DDEXConfig
import DDEXModel
import Foundation
@testable import Intake
import XCTest

/// Every case under `Fixtures/hostile/` must produce its expected problem code, must not be valid (unless the
/// expected problem is a warning), and must leave its folder exactly as it was.
final class HostileCorpusTests: XCTestCase {
    struct Expectation {
        var code: ProblemCode
        var severity: Severity
        var settings: IntakeSettings
    }

    /// `expected.txt`: first line `CODE severity`; then optional `max_unpacked_bytes=N` / `max_zip_entries=N`.
    func expectation(_ folder: URL) throws -> Expectation {
        let lines = try String(contentsOf: folder.appendingPathComponent("expected.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let first = try XCTUnwrap(lines.first).split(separator: " ")
        var settings = IntakeSettings()
        for line in lines.dropFirst() {
            let kv = line.split(separator: "=")
            guard kv.count == 2, let n = Int(kv[1]) else { continue }
            if kv[0] == "max_unpacked_bytes" { settings.maxUnpackedBytes = UInt64(n) }
            if kv[0] == "max_zip_entries" { settings.maxZipEntries = n }
        }
        return Expectation(code: ProblemCode(rawValue: String(first[0])), severity: Severity(rawValue: String(first[1])) ?? .error, settings: settings)
    }

    func testEveryHostileCase() throws {
        let cases = try FileManager.default.contentsOfDirectory(atPath: IntakeFixtures.hostile.path).sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 35)
        for name in cases {
            let folder = IntakeFixtures.hostile.appendingPathComponent(name)
            let expected = try expectation(folder)
            let zip = folder.appendingPathComponent("package.zip")
            let target = FileManager.default.fileExists(atPath: zip.path) ? zip : folder
            let before = IntakeFixtures.snapshot(folder)
            let report = PackageValidator(settings: expected.settings, schemas: IntakeFixtures.schemas).validate(packageAt: target)
            XCTAssertEqual(IntakeFixtures.snapshot(folder), before, "\(name): the package changed")
            let listing = report.problems.map(\.description).joined(separator: "\n")
            if expected.code == "NOT_VALID" {
                // The XML cases wait for the master-ERN reader; until then the package must at least be refused.
                XCTAssertFalse(report.valid, "\(name)\n\(listing)")
                continue
            }
            XCTAssertTrue(report.problems.contains { $0.code == expected.code && $0.severity == expected.severity },
                          "\(name): expected \(expected.severity) \(expected.code), got:\n\(listing)")
            XCTAssertEqual(report.valid, expected.severity == .warning, "\(name)\n\(listing)")
        }
    }
}
