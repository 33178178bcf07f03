import DDEXModel
import Foundation
import Store

/// Writes the status files under `Spool/status/` atomically (temporary file + rename).
///
/// Alone on a spool (SQLite) the daemon writes `ddexd.json` and `ddexd.prom`; instances sharing a spool (PostgreSQL)
/// each write their own, `ddexd-<instance>.json` and `ddexd-<instance>.prom`, whose samples carry a
/// `ddexd_instance` label. Package files are shared: whoever advances a package writes its file.
public struct StatusWriter: Sendable {
    public let folder: String
    /// The instance whose files these are, when instances share the spool.
    public let instance: String?

    /// Writes under `folder` (normally `<spool>/status`); nothing is created until the first write.
    public init(folder: String, instance: String? = nil) {
        self.folder = folder
        self.instance = instance
    }

    public var daemonFile: String { folder + "/" + daemonFileName(instance) }
    public var prometheusFile: String { folder + "/" + (instance.map { "ddexd-\($0).prom" } ?? "ddexd.prom") }

    private func daemonFileName(_ instance: String?) -> String { instance.map { "ddexd-\($0).json" } ?? "ddexd.json" }
    /// `packages/<package id>.json` under the status folder: one file per package, replaced on each write.
    public func packageFile(_ packageId: String) -> String { folder + "/packages/\(packageId).json" }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Replaces `ddexd.json` and then `ddexd.prom`, each atomically (a reader sees the old file or the new one,
    /// never half of one). Throws the encoder's or the file system's error; a failed write leaves the old file.
    public func write(_ status: DaemonStatus) throws {
        try AtomicFile.write(try Self.encoder().encode(status), to: daemonFile)
        try AtomicFile.write(Data(PrometheusText.render(status, instance: instance).utf8), to: prometheusFile)
    }

    /// Replaces the package's status file atomically; throws the encoder's or the file system's error.
    public func write(_ status: PackageStatus) throws {
        try AtomicFile.write(try Self.encoder().encode(status), to: packageFile(status.packageId))
    }

    /// The last `ddexd.json` written (by this process or a running daemon); throws when it is missing or does not
    /// decode, e.g. when no daemon has run on this spool.
    public func readDaemonStatus() throws -> DaemonStatus {
        try JSONDecoder().decode(DaemonStatus.self, from: Data(contentsOf: URL(fileURLWithPath: daemonFile)))
    }

    /// Every instance's daemon status file (`ddexd-<instance>.json`) in the folder, newest heartbeat first; files
    /// that do not decode are skipped (an instance may be replacing its own).
    public func readInstanceStatuses() -> [DaemonStatus] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("ddexd-") && $0.hasSuffix(".json") }.compactMap { name in
            try? JSONDecoder().decode(DaemonStatus.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
        }.sorted { $0.heartbeatAt > $1.heartbeatAt }
    }

    /// Every package status file, sorted by file name (hidden temporaries skipped); empty when the folder does not
    /// exist yet. Throws when a file does not decode.
    public func readPackageStatuses() throws -> [PackageStatus] {
        let dir = folder + "/packages"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return try names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map {
            try JSONDecoder().decode(PackageStatus.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)))
        }
    }
}

/// The daemon status in the Prometheus text exposition format, for node_exporter's textfile collector.
public enum PrometheusText {
    /// The text of `ddexd.prom`: `# HELP`/`# TYPE` then samples per metric, DSP names escaped as label values;
    /// timestamps in Unix seconds. With `instance`, every sample also carries `ddexd_instance="<instance>"`, so
    /// that the files of several instances in one textfile folder stay apart.
    public static func render(_ status: DaemonStatus, instance: String? = nil) -> String {
        var out = ""
        let instanceLabel = instance.map { "ddexd_instance=\"\(escaped($0))\"" }
        func metric(_ name: String, _ help: String, _ type: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for s in samples {
                let labels = [instanceLabel, s.labels.isEmpty ? nil : s.labels].compactMap { $0 }.joined(separator: ",")
                out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(s.value)\n"
            }
        }
        func label(_ dsp: String) -> String { "dsp=\"\(escaped(dsp))\"" }
        let dsps = status.dsps.keys.sorted()
        metric("ddexd_up", "1 while the daemon runs.", "gauge", [("", status.state == "stopping" ? "0" : "1")])
        if let heartbeat = Timestamp.parse(status.heartbeatAt) {
            metric("ddexd_heartbeat_timestamp_seconds", "Time of the last heartbeat.", "gauge",
                   [("", String(format: "%.3f", heartbeat.timeIntervalSince1970))])
        }
        let p = status.packages
        metric("ddexd_packages", "Packages by state.", "gauge", [
            ("state=\"received\"", "\(p.received)"), ("state=\"valid\"", "\(p.valid)"), ("state=\"rejected\"", "\(p.rejected)"),
            ("state=\"built\"", "\(p.built)"), ("state=\"done\"", "\(p.done)"),
        ])
        metric("ddexd_dsp_queue_depth", "Deliveries waiting per DSP.", "gauge", dsps.map { (label($0), "\(status.dsps[$0]!.queueDepth)") })
        metric("ddexd_dsp_in_flight", "Deliveries uploading per DSP.", "gauge", dsps.map { (label($0), "\(status.dsps[$0]!.inFlight)") })
        metric("ddexd_dsp_deliveries", "Deliveries per DSP and outcome.", "gauge", dsps.flatMap { d -> [(String, String)] in
            let h = status.dsps[d]!
            return [("\(label(d)),outcome=\"delivered\"", "\(h.delivered)"), ("\(label(d)),outcome=\"acknowledged\"", "\(h.acknowledged)"),
                    ("\(label(d)),outcome=\"rejected-by-dsp\"", "\(h.rejectedByDSP)"), ("\(label(d)),outcome=\"failed\"", "\(h.failed)")]
        })
        metric("ddexd_dsp_blocked", "1 while a permanent error (host key, credentials, configuration) parks the DSP.", "gauge",
               dsps.map { (label($0), status.dsps[$0]!.blocked == nil ? "0" : "1") })
        metric("ddexd_dsp_last_success_timestamp_seconds", "Last successful transfer per DSP.", "gauge", dsps.compactMap { d in
            guard let at = status.dsps[d]?.lastSuccessAt, let date = Timestamp.parse(at) else { return nil }
            return (label(d), String(format: "%.3f", date.timeIntervalSince1970))
        })
        return out
    }

    /// A label value with its backslashes and quotes escaped.
    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

