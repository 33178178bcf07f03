import DDEXConfig
import DDEXModel
import Foundation
import SFTP

/// What operators write: the TOML configuration, a DSP profile file, and known_hosts.
enum ConfigurationTargets {
    /// A valid configuration whose only DSP profile is the fuzzed file.
    static let mainConfiguration = """
        dsp_folder = "dsps"
        [sender]
        dpid = "PADPIDA2014122301Q"
        name = "Fuzz"
        [spool]
        root = "spool"
        [schemas]
        folder = "/nonexistent-schemas"
        [accounting]
        currency = "EUR"
        commission_bp = 1500
        [accounts.label]
        """

    static let all = [
        FuzzTarget("config-toml", "ddexd.toml as check-config and every command read it") { bytes throws(FuzzViolation) in
            let url = try FuzzScratch.shared.write(bytes, as: "ddexd.toml")
            let (configuration, problems) = ConfigurationLoader.check(path: url.path)
            try FuzzInvariants.checkExplained(hasValue: configuration != nil, problems)
        },
        FuzzTarget("dsp-profile", "a DSP profile file (dsps/NAME.toml)") { bytes throws(FuzzViolation) in
            let folder = FuzzScratch.shared.emptyFolder("profile")
            try? FileManager.default.createDirectory(at: folder.appendingPathComponent("dsps"), withIntermediateDirectories: true)
            let config = folder.appendingPathComponent("ddexd.toml")
            try? Data(mainConfiguration.utf8).write(to: config)
            try? Data(bytes).write(to: folder.appendingPathComponent("dsps/fuzz.toml"))
            let (_, problems) = ConfigurationLoader.check(path: config.path)
            try FuzzInvariants.checkProblems(problems)
        },
        FuzzTarget("known-hosts", "a known_hosts file: every line not understood is named with its number and why") { bytes throws(FuzzViolation) in
            let url = try FuzzScratch.shared.write(bytes, as: "known_hosts")
            let hosts: KnownHosts
            do {
                hosts = try KnownHosts.load(path: url.path)
            } catch {
                try FuzzInvariants.checkRefusal(error, place: "known_hosts")
                return
            }
            for skipped in hosts.skippedLines where skipped.line < 1 || skipped.reason.isEmpty {
                throw FuzzViolation("a known_hosts line skipped without its number or reason: \(skipped)")
            }
            _ = hosts.pinnedKeys(host: "127.0.0.1", port: 2222)
        },
    ]
}
