import DDEXModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension InstanceRecord {
    /// This process as an instance starting now: id `<host>-<pid>-<8 hex digits>` (unique per start, so a
    /// restarted process never holds what its predecessor held), its host name and pid, and ddexd's `version`.
    public static func current(version: String, now: Date = Date()) -> InstanceRecord {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        let safeHost = String(host.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }.prefix(64))
        let pid = Int64(getpid())
        let id = "\(safeHost)-\(pid)-" + String(format: "%08x", UInt32.random(in: 0...UInt32.max))
        return InstanceRecord(id: id, host: safeHost, pid: pid, version: version, startedAt: Timestamp.format(now),
                              heartbeatAt: now.timeIntervalSince1970)
    }

    /// The record with its heartbeat at `time` (Unix seconds on the cluster's clock).
    public func beating(at time: Double) -> InstanceRecord {
        var record = self
        record.heartbeatAt = time
        return record
    }
}
