import Foundation
import TestSupport
import XCTest

/// The unit file the README tells operators to install: notify type, watchdog, unprivileged and hardened.
final class SystemdUnitTests: XCTestCase {
    private func settings() throws -> [String: [String]] {
        let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("systemd/ddexd.service"), encoding: .utf8)
        var out: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && line.contains("=") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            out[parts[0], default: []].append(parts.count > 1 ? parts[1] : "")
        }
        return out
    }

    func testTheUnitIsNotifyWithAWatchdogAndRunsUnprivilegedAndHardened() throws {
        let s = try settings()
        XCTAssertEqual(s["Type"], ["notify"])
        XCTAssertEqual(s["NotifyAccess"], ["main"])
        XCTAssertNotNil(s["WatchdogSec"])
        XCTAssertEqual(s["User"], ["ddexd"])
        for (key, value) in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                             ("CapabilityBoundingSet", ""), ("ReadWritePaths", "/var/spool/ddexd")]
        {
            XCTAssertEqual(s[key], [value], key)
        }
        XCTAssertTrue(s["ExecStart"]?.first?.contains("ddexd run") ?? false)
        XCTAssertTrue(s["ExecReload"]?.first?.contains("kill -HUP") ?? false)
        let sysusers = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("systemd/ddexd.sysusers"), encoding: .utf8)
        XCTAssertTrue(sysusers.contains("u ddexd"))
        let tmpfiles = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("systemd/ddexd.tmpfiles"), encoding: .utf8)
        for folder in ["inbound", "work", "outbound", "archive", "rejected", "state", "status"] {
            XCTAssertTrue(tmpfiles.contains("/var/spool/ddexd/\(folder) "), folder)
        }
    }

    /// systemd's own checker accepts the unit (apart from the binary, which is not installed here).
    func testSystemdAnalyzeAcceptsTheUnit() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "systemd-analyze is missing: apt-get install -y systemd")
        let r = try CommandRunner.run("systemd-analyze", ["verify", RepositoryPaths.root.appendingPathComponent("systemd/ddexd.service").path])
        let complaints = (r.stdout + r.stderr).split(separator: "\n").filter { !$0.contains("/usr/local/bin/ddexd") && !$0.isEmpty }
        XCTAssertEqual(complaints, [], r.stdout + r.stderr)
    }

    /// The /etc configuration the README installs is valid once its system paths exist: the spool, the DSP
    /// profiles beside it and the schemas installed under /usr/share/ddexd (mapped here to test folders).
    func testTheSystemConfigurationIsValidWithTheInstalledSchemas() throws {
        let dir = try TemporaryDirectory(prefix: "systemd-config")
        let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("systemd/ddexd.toml"), encoding: .utf8)
        XCTAssertTrue(text.contains("folder = \"/usr/share/ddexd/ddex-xsd\""))
        let mapped = text.replacingOccurrences(of: "/usr/share/ddexd/ddex-xsd", with: RepositoryPaths.xsd.path)
            .replacingOccurrences(of: "/var/spool/ddexd", with: dir.path + "/spool")
        let config = try dir.write(mapped, to: "etc/ddexd/ddexd.toml")
        try FileManager.default.copyItem(at: RepositoryPaths.config.appendingPathComponent("dsps"), to: dir.url.appendingPathComponent("etc/ddexd/dsps"))
        let result = try CommandRunner.run(CommandRunner.ddexd, ["check-config", "--config", config.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    }
}
