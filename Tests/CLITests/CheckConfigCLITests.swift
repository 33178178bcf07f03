import Foundation
import TestSupport
import XCTest

/// Drives the real `ddexd` binary.
final class CheckConfigCLITests: XCTestCase {
    func testExampleConfigurationIsValid() throws {
        let result = try CommandRunner.run(CommandRunner.ddexd, ["check-config", "--config", RepositoryPaths.config.appendingPathComponent("ddexd.toml").path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("3 DSP profile(s) (labelcamp, spotify, youtube)"), result.stdout)
    }

    func testVersion() throws {
        let result = try CommandRunner.run(CommandRunner.ddexd, ["--version"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
    }

    func testDefaultConfigIsFoundInTheWorkingFolder() throws {
        let result = try CommandRunner.run(CommandRunner.ddexd, ["check-config"], currentDirectory: RepositoryPaths.root)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    }

    func testBrokenConfigurationExitsOneWithEveryProblemInJSON() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("""
            [sender]
            dpid = "PADPIDA2014122301X"
            name = 7
            """, to: "ddexd.toml")
        let result = try CommandRunner.run(CommandRunner.ddexd, ["check-config", "--config", file.path, "--format", "json"])
        XCTAssertEqual(result.status, 1)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["valid"] as? Bool, false)
        let problems = json?["problems"] as? [[String: String]] ?? []
        let codes = Set(problems.compactMap { $0["code"] })
        XCTAssertTrue(codes.isSuperset(of: ["CONFIG_INVALID_VALUE", "CONFIG_WRONG_TYPE", "CONFIG_MISSING_KEY"]), "\(problems)")
        XCTAssertTrue(problems.contains { $0["location"] == "\(file.path):2: sender.dpid" }, "\(problems)")
    }

    func testStatusWithoutDaemonSaysSo() throws {
        let dir = try TemporaryDirectory()
        let result = try CommandRunner.run(CommandRunner.ddexd, ["status", "--spool", dir.path])
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stdout.contains("no daemon status file"), result.stdout)
    }
}
