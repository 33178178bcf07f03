import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Speaks systemd's sd_notify protocol over `$NOTIFY_SOCKET` (a datagram socket), without libsystemd.
///
/// With no `$NOTIFY_SOCKET` (not under systemd) every call is a no-op. Abstract socket names
/// (`@name`) are supported. Messages: `READY=1`, `RELOADING=1`, `STOPPING=1`, `WATCHDOG=1`, `STATUS=…`.
public struct SystemdNotifier: Sendable {
    public let socketPath: String?
    /// Half of `$WATCHDOG_USEC` (systemd's advice), when the watchdog is on for this process.
    public let watchdogInterval: Duration?

    /// Reads `$NOTIFY_SOCKET` and the watchdog settings (`$WATCHDOG_USEC`, for this process only when
    /// `$WATCHDOG_PID` names it) from `environment`; opens nothing until a message is sent.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true
        {
            watchdogInterval = .microseconds(Int64(usec / 2))
        } else {
            watchdogInterval = nil
        }
    }

    public var isActive: Bool { socketPath != nil }

    /// `READY=1` (and the status line): start-up is over; under `Type=notify` systemd waits for it before
    /// starting units ordered after ddexd.
    public func ready(status: String? = nil) { send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? [])) }
    /// `RELOADING=1` with the monotonic clock: a reload (SIGHUP) began; send `ready()` when it is over.
    public func reloading() {
        // RELOADING=1 wants MONOTONIC_USEC since systemd 253 (Type=notify-reload); older versions ignore it.
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        send(["RELOADING=1", "MONOTONIC_USEC=\(UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000)"])
    }
    /// `STOPPING=1`: the shutdown began, so systemd shows the unit as deactivating.
    public func stopping() { send(["STOPPING=1"]) }
    /// `WATCHDOG=1`: the daemon is alive. Send it every `watchdogInterval` (half systemd's limit); past the limit
    /// without one, systemd restarts the unit.
    public func watchdog() { send(["WATCHDOG=1"]) }
    /// `STATUS=…`: the one-line status `systemctl status` shows.
    public func status(_ text: String) { send(["STATUS=\(text)"]) }

    /// Sends one datagram of newline-separated assignments. Failures are ignored: systemd
    /// notification is best effort and must never take the daemon down.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        guard let path = socketPath else { return false }
        let message = assignments.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(path.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let sent = message.utf8CString.withUnsafeBufferPointer { buffer in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    sendto(fd, buffer.baseAddress, buffer.count - 1, Int32(MSG_NOSIGNAL), sa, length)
                }
            }
        }
        return sent >= 0
    }
}
