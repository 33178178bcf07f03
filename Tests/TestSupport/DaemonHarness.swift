import Foundation
import Harness

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `ddexd run` binary on a private spool and configuration, for end-to-end tests.
///
/// The configuration delivers over local-folder transports into `dropbox/<dsp>` unless a test writes its
/// own DSP profiles (e.g. an SFTP one pointing at `SSHServer`).
public final class DaemonHarness: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public var root: String { directory.path }
    public var spool: String { root + "/spool" }
    public var dropBox: String { root + "/dropbox" }
    public var configPath: String { root + "/config/ddexd.toml" }
    public var logPath: String { root + "/ddexd.log" }
    public var inbound: String { spool + "/inbound/label" }
    public private(set) var process: Process?
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

    public func writeConfig(extra: String = "", accounts: String = "[accounts.label]\ncommission_bp = 1500\n") throws {
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

    /// Starts `ddexd run`; `environment` adds to the test's own environment.
    public func start(environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = CommandRunner.ddexd
        p.arguments = ["run", "--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.merge(environment) { _, new in new }
        p.environment = env
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = log
        try p.run()
        process = p
        try waitUntil("the daemon wrote its status", timeout: 20) { FileManager.default.fileExists(atPath: self.spool + "/status/ddexd.json") && self.log.contains("ddexd started") }
    }

    public func signal(_ signal: Int32) {
        if let pid = process?.processIdentifier { kill(pid, signal) }
    }

    /// SIGKILL and wait for the process to be gone.
    public func kill9() {
        signal(SIGKILL)
        process?.waitUntilExit()
        process = nil
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        guard let p = process else { return 0 }
        signal(SIGTERM)
        p.waitUntilExit()
        process = nil
        return p.terminationStatus
    }

    deinit {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

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
            if let p = process, !p.isRunning { throw HarnessError("ddexd exited (\(p.terminationStatus)) while waiting for: \(what)\n\(log)") }
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
