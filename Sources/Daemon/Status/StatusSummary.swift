import DDEXModel
import Foundation
import Store

/// Renders status files as the text `ddexd status` prints.
public enum StatusSummary {
    /// The daemon's line (with its heartbeat's age at `now`) and one line per package; only unfinished packages
    /// unless `showAll`.
    public static func render(daemon: DaemonStatus?, packages: [PackageStatus], showAll: Bool, now: Date) -> String {
        var lines: [String] = []
        if let d = daemon {
            var age = ""
            if let beat = Timestamp.parse(d.heartbeatAt) {
                let seconds = Int(now.timeIntervalSince(beat))
                age = " (heartbeat \(seconds) s ago\(seconds > 120 ? " — STALE: is the daemon running?" : ""))"
            }
            lines.append("ddexd \(d.version), pid \(d.pid), \(d.state) since \(d.startedAt)\(age)")
            let p = d.packages
            lines.append("packages: \(p.received) received, \(p.valid) valid, \(p.built) built, \(p.done) done, \(p.rejected) rejected")
            lines.append("")
            lines.append(pad("DSP", 14) + pad("queue", 7) + pad("in flight", 11) + pad("delivered", 11) + pad("acked", 7)
                + pad("rejected", 10) + pad("failed", 8) + "last success / last error")
            for name in d.dsps.keys.sorted() {
                let h = d.dsps[name]!
                var tail = h.lastSuccessAt ?? "-"
                if let e = h.lastError { tail += " / \(e.code) at \(e.at): \(e.message)" }
                lines.append(pad(name + (h.enabled ? "" : " (off)"), 14) + pad("\(h.queueDepth)", 7) + pad("\(h.inFlight)", 11)
                    + pad("\(h.delivered)", 11) + pad("\(h.acknowledged)", 7) + pad("\(h.rejectedByDSP)", 10) + pad("\(h.failed)", 8) + tail)
            }
        } else {
            lines.append("no daemon status file: ddexd run has not written one here")
        }
        let shown = packages.filter { showAll || $0.state != "done" }
        if !shown.isEmpty {
            lines.append("")
            lines.append("packages\(showAll ? "" : " not done") (\(shown.count)):")
            for p in shown {
                let title = p.release.map { "\($0.displayArtist) — \($0.title)" } ?? p.source
                let dsps = p.dsps.keys.sorted().map { name -> String in
                    let s = p.dsps[name]!
                    var text = "\(name): \(s.state)"
                    if let ack = s.ack { text += " (\(ack.status)\(ack.text.map { ": \($0)" } ?? ""))" }
                    return text
                }.joined(separator: ", ")
                lines.append("  \(p.packageId) [\(p.account)] \(p.state): \(title)\(dsps.isEmpty ? "" : " — " + dsps)")
                for problem in p.problems where problem.severity == .error {
                    lines.append("      \(problem.code) \(problem.location): \(problem.message)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
