import Daemon
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class SystemdNotifierTests: XCTestCase {
    /// A datagram socket standing in for systemd's notify socket.
    private final class NotifySocket {
        let path: String
        let fd: Int32

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }

        deinit { close(fd) }
    }

    func testMessagesReachTheNotifySocket() throws {
        let dir = try TemporaryDirectory(prefix: "notify")
        let socket = try NotifySocket(path: dir.path + "/notify.sock")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "4000000"])
        XCTAssertTrue(notifier.isActive)
        XCTAssertEqual(notifier.watchdogInterval, .seconds(2))

        notifier.ready(status: "watching 1 inbound folder")
        XCTAssertEqual(socket.receive(), "READY=1\nSTATUS=watching 1 inbound folder")
        notifier.watchdog()
        XCTAssertEqual(socket.receive(), "WATCHDOG=1")
        notifier.reloading()
        let reloading = try XCTUnwrap(socket.receive())
        XCTAssertTrue(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="), reloading)
        notifier.stopping()
        XCTAssertEqual(socket.receive(), "STOPPING=1")
        notifier.status("line one\nline two")
        XCTAssertEqual(socket.receive(), "STATUS=line one line two")
    }

    func testWithoutNotifySocketNothingIsSent() {
        let notifier = SystemdNotifier(environment: [:])
        XCTAssertFalse(notifier.isActive)
        XCTAssertNil(notifier.watchdogInterval)
        XCTAssertFalse(notifier.send(["READY=1"]))
    }

    func testWatchdogForAnotherPidIsIgnored() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        XCTAssertNil(notifier.watchdogInterval)
    }
}
