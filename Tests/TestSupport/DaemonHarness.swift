import Foundation
import Harness

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `ddexd run` binary on a private spool and configuration, for end-to-end tests.
///
/// The configuration delivers over local-folder transports into `dropbox/<dsp>` unless a test writes its
/// own DSP profiles (e.g. an SFTP one pointing at `SSHServer`). Several processes can run on the one spool and
/// configuration (instances sharing a PostgreSQL store): each has a number, its own process and its own log.
public final class DaemonHarness: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public var root: String { directory.path }
    public var spool: String { root + "/spool" }
    public var dropBox: String { root + "/dropbox" }
    public var configPath: String { root + "/config/ddexd.toml" }
    public var logPath: String { logPath(instance: 0) }
    public var inbound: String { spool + "/inbound/label" }
    /// The running processes, by instance number.
    public private(set) var processes: [Int: Process] = [:]
    /// Instance 0's process.
    public var process: Process? { processes[0] }

    /// Instance `n`'s log: `ddexd.log` for instance 0, `ddexd-<n>.log` for the others.
    public func logPath(instance n: Int) -> String { root + (n == 0 ? "/ddexd.log" : "/ddexd-\(n).log") }
    /// Where each DSP's remote root is on this machine (default `dropbox/<dsp>`; an SFTP drop box's folder
    /// for a profile that delivers to `SSHServer`).
    public var remoteRoots: [String: String] = [:]

    public func remoteRoot(_ dsp: String) -> String { remoteRoots[dsp] ?? dropBox + "/" + dsp }

    public init(dsps: [String: String]? = nil, extraConfig: String = "") throws {
        directory = try TemporaryDirectory(prefix: "daemon")
        try writeConfig(extra: extraConfig)
        for (name, text) in dsps ?? ["spotify": Self.localProfile(name: "spotify", dpid: "PADPIDA2011072101T", root: dropBox + "/spotify"),
                                     "youtube": Self.localProfile(name: "youtube", dpid: "PADPIDA2013020802I", root: dropBox + "/youtube")]
        {
            try directory.write(text, to: "config/dsps/\(name).toml")
        }
    }

    public func writeConfig(extra: String = "", accounts: String = "[accounts.label]\ncommission_bp = 1500\n", daemon: String = "") throws {
        try directory.write("""
            dsp_folder = "dsps"

            [sender]
            dpid = "PADPIDA2014122301Q"
            name = "Test Distribution"

            [spool]
            root = "\(spool)"

            [schemas]
            folder = "\(RepositoryPaths.xsd.path)"

            [accounting]
            currency = "EUR"
            commission_bp = 1500

            [daemon]
            rescan_seconds = 2
            shutdown_timeout_seconds = 10
            status_interval_seconds = 1
            log_level = "debug"
            \(daemon)

            \(accounts)
            \(extra)
            """, to: "config/ddexd.toml")
    }

    /// A DSP profile delivering over SFTP to `server`'s drop box (`/upload` in its chroot).
    public static func sftpProfile(name: String, dpid: String, host: String, port: Int, user: String, key: String, knownHosts: String,
                                   root: String = "/upload") -> String
    {
        """
        recipient_dpid = "\(dpid)"
        recipient_name = "\(name)"

        [transport]
        kind = "sftp"
        host = "\(host)"
        port = \(port)
        user = "\(user)"
        private_key = "\(key)"
        known_hosts = "\(knownHosts)"
        remote_root = "\(root)"
        connect_timeout_seconds = 5

        [retry]
        max_attempts = 20
        initial_delay_seconds = 1
        max_delay_seconds = 1

        [acks]
        poll_seconds = 1

        [dsr]
        folder = "reports"
        poll_seconds = 1
        after_fetch = "move"
        """
    }

    public static func localProfile(name: String, dpid: String, root: String, extra: String = "") -> String {
        """
        recipient_dpid = "\(dpid)"
        recipient_name = "\(name)"
        territories = ["Worldwide"]
        \(extra)

        [transport]
        kind = "local"
        remote_root = "\(root)"

        [retry]
        max_attempts = 5
        initial_delay_seconds = 1
        max_delay_seconds = 2

        [acks]
        poll_seconds = 1

        [dsr]
        folder = "reports"
        poll_seconds = 1
        after_fetch = "move"
        """
    }

    /// A simulated DSP's acknowledgement of the delivery to `dsp` of the `index`th package (status files in
    /// name order): the ern-c-sftp/18 fixture with `status`, naming the delivery's MessageId and batch, written
    /// into the batch's `acknowledgements/`.
    public func acknowledge(dsp: String, package index: Int = 0, status: String = "FileOK", text: String? = nil) throws {
        let statuses = packageStatuses()
        guard statuses.indices.contains(index), let delivery = (statuses[index]["dsps"] as? [String: Any])?[dsp] as? [String: Any],
              let messageId = delivery["messageId"] as? String, let batchId = delivery["batchId"] as? String
        else { throw HarnessError("no delivery to \(dsp) in the status files") }
        try acknowledge(dsp: dsp, messageId: messageId, batchId: batchId, status: status, text: text)
    }

    /// A simulated DSP's acknowledgement of the delivery to `dsp` with this MessageId and batch (as a test reads
    /// them from the store), written into the batch's `acknowledgements/` as `acknowledge(dsp:package:)` does.
    public func acknowledge(dsp: String, messageId: String, batchId: String, status: String = "FileOK", text: String? = nil) throws {
        let fixture = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("acks/ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml"), encoding: .utf8)
        var xml = fixture.replacingOccurrences(of: "<MessageId>MSG-0001</MessageId>", with: "<MessageId>\(messageId)</MessageId>")
            .replacingOccurrences(of: "<BatchId>20261121100000000</BatchId>", with: "<BatchId>\(batchId)</BatchId>")
        if status != "FileOK" {
            xml = xml.replacingOccurrences(of: "<Status>FileOK</Status>", with: "<Status>\(status)</Status>")
                .replacingOccurrences(of: "SuccessfullyIngestedByReleaseDistributor", with: "ProcessingErrorAtReleaseDistributor")
            if let text { xml = xml.replacingOccurrences(of: "</ReleaseStatus>\n    <Acknowledgement>", with: "</ReleaseStatus>\n    <ErrorText>\(text)</ErrorText>\n    <Acknowledgement>") }
        }
        let folder = remoteRoot(dsp) + "/\(batchId)/acknowledgements"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Written under a temporary name, then renamed: as a DSP's server would.
        let final = folder + "/ACK_\(messageId)_20261121100500000.xml"
        try xml.write(toFile: final + ".tmp", atomically: false, encoding: .utf8)
        guard rename(final + ".tmp", final) == 0 else { throw HarnessError("rename failed") }
    }

    /// Starts `ddexd run` as instance `n` (0 unless several run on the spool); `environment` adds to the test's own
    /// environment. Returns once it said it started and a daemon status file is there.
    public func start(instance n: Int = 0, environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = CommandRunner.ddexd
        p.arguments = ["run", "--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.merge(environment) { _, new in new }
        p.environment = env
        let path = logPath(instance: n)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        log.seekToEndOfFile()
        let startedBefore = self.log(instance: n).components(separatedBy: "ddexd started").count
        p.standardError = log
        p.standardOutput = log
        try p.run()
        processes[n] = p
        try waitUntil("instance \(n) wrote its status", timeout: 20) {
            self.log(instance: n).components(separatedBy: "ddexd started").count > startedBefore && self.hasDaemonStatusFile
        }
    }

    /// True once a daemon status file is in the spool: `ddexd.json`, or an instance's `ddexd-<id>.json`.
    private var hasDaemonStatusFile: Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spool + "/status")) ?? []
        return names.contains { $0 == "ddexd.json" || ($0.hasPrefix("ddexd-") && $0.hasSuffix(".json")) }
    }

    public func signal(_ signal: Int32, instance n: Int = 0) {
        if let pid = processes[n]?.processIdentifier { kill(pid, signal) }
    }

    /// SIGKILL instance `n` and wait for the process to be gone.
    public func kill9(instance n: Int = 0) {
        signal(SIGKILL, instance: n)
        processes[n]?.waitUntilExit()
        processes[n] = nil
    }

    /// SIGTERM instance `n` and wait; returns the exit status.
    @discardableResult
    public func stop(instance n: Int = 0) -> Int32 {
        guard let p = processes[n] else { return 0 }
        signal(SIGTERM, instance: n)
        p.waitUntilExit()
        processes[n] = nil
        return p.terminationStatus
    }

    deinit {
        for p in processes.values where p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
    }

    /// Instance 0's log.
    public var log: String { log(instance: 0) }

    /// Instance `n`'s log.
    public func log(instance n: Int) -> String { (try? String(contentsOfFile: logPath(instance: n), encoding: .utf8)) ?? "" }

    /// Copies a fixture package into the inbound folder the way a label system should: written under a
    /// hidden name, then moved in with one rename, READY already inside.
    @discardableResult
    public func drop(fixture: String, as name: String? = nil) throws -> String {
        let name = name ?? (fixture as NSString).lastPathComponent
        try FileManager.default.createDirectory(atPath: inbound, withIntermediateDirectories: true)
        let staging = inbound + "/.\(name).partial"
        try FileManager.default.copyItem(atPath: RepositoryPaths.fixtures.appendingPathComponent(fixture).path, toPath: staging)
        guard rename(staging, inbound + "/" + name) == 0 else { throw POSIXError(.EIO) }
        return inbound + "/" + name
    }

    /// Drops a zip fixture as `<name>.zip`, then its `<name>.zip.ready` marker, as a label system should.
    @discardableResult
    public func dropZip(fixture: String, as name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: inbound, withIntermediateDirectories: true)
        let staging = inbound + "/.\(name).zip.partial"
        try FileManager.default.copyItem(atPath: RepositoryPaths.fixtures.appendingPathComponent(fixture).path, toPath: staging)
        guard rename(staging, inbound + "/\(name).zip") == 0 else { throw POSIXError(.EIO) }
        FileManager.default.createFile(atPath: inbound + "/\(name).zip.ready", contents: Data())
        return inbound + "/\(name).zip"
    }

    /// Polls `condition` every 20 ms until it holds; fails with the log when `timeout` passes.
    public func waitUntil(_ what: String, timeout: Double = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            for (n, p) in processes where !p.isRunning {
                throw HarnessError("ddexd instance \(n) exited (\(p.terminationStatus)) while waiting for: \(what)\n\(log(instance: n))")
            }
            usleep(20_000)
        }
        throw HarnessError("timed out after \(timeout) s waiting for: \(what)\n--- log ---\n\(log)")
    }

    /// Every regular file under `dropbox/`, relative, hidden ones included.
    public func dropBoxFiles() -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dropBox) else { return [] }
        var out: [String] = []
        while let path = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dropBox + "/" + path, isDirectory: &isDir), !isDir.boolValue { out.append(path) }
        }
        return out.sorted()
    }

    /// The package status files, decoded as JSON objects.
    public func packageStatuses() -> [[String: Any]] {
        let folder = spool + "/status/packages"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().compactMap {
            (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)))) as? [String: Any]
        }
    }

    /// The state of `dsp` in the first package status file.
    public func deliveryState(_ dsp: String, package index: Int = 0) -> String? {
        let statuses = packageStatuses()
        guard statuses.indices.contains(index) else { return nil }
        return ((statuses[index]["dsps"] as? [String: Any])?[dsp] as? [String: Any])?["state"] as? String
    }
}

/// Validates JSON files against a JSON Schema with Python's `jsonschema` (an independent implementation).
public enum JSONSchemaCheck {
    /// Empty when valid; else the validator's message.
    public static func problems(file: String, schema: String) throws -> String {
        let script = """
        import json, sys
        try:
            import jsonschema
        except ImportError:
            sys.exit("python3 jsonschema is missing: pip install jsonschema")
        try:
            jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
        except jsonschema.ValidationError as e:
            sys.exit(str(e))
        """
        let result = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, schema, file])
        return result.status == 0 ? "" : result.stderr + result.stdout
    }
}
