import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The runtime never blocked: per-DSP workers that do not wait for each other, parallel sessions, a bounded
/// shutdown. Real daemon, real sshd on 127.0.0.1, and a throttling TCP proxy in between to make a DSP slow.
final class DaemonConcurrencyTests: XCTestCase {
    private func profile(_ name: String, dpid: String, server: SSHServer, port: Int, knownHosts: String, root: String,
                         sessions: Int) -> String
    {
        DaemonHarness.sftpProfile(name: name, dpid: dpid, host: server.host, port: port, user: server.user, key: server.clientKeyPath,
                                  knownHosts: knownHosts, root: root)
            .replacingOccurrences(of: "connect_timeout_seconds = 5", with: "connect_timeout_seconds = 30\nmax_sessions = \(sessions)")
    }

    private func files(under root: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let path = e.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { out.append(path) }
        }
        return out
    }

    /// max_sessions = 4 on a 2-core machine: the four resources of one delivery are on the server's disk as
    /// upload temporaries at the same moment (seen from the server's side), over four SSH connections.
    func testFourUploadsToOneDSPAreInFlightAtOnce() throws {
        let server = try SSHServer()
        // 50 ms per forwarded chunk: each file takes a few round trips, long enough to see them overlap.
        let proxy = try ThrottlingProxy(targetPort: server.port, delay: 0.05)
        let knownHosts = server.root.appendingPathComponent("known_hosts_proxy").path
        try server.writeKnownHosts(to: knownHosts, port: proxy.port)
        let daemon = try DaemonHarness(dsps: ["spotify": profile("spotify", dpid: "PADPIDA2011072101T", server: server, port: proxy.port,
                                                                 knownHosts: knownHosts, root: "/upload", sessions: 4)])
        daemon.remoteRoots["spotify"] = server.localPath("/upload")
        try daemon.start()
        try daemon.drop(fixture: "packages/album-flac")
        var mostAtOnce = 0
        try daemon.waitUntil("delivered", timeout: 60) {
            mostAtOnce = max(mostAtOnce, files(under: server.localPath("/upload")).filter { $0.hasSuffix(".ddexd-part") }.count)
            return daemon.deliveryState("spotify") == "completed"
        }
        XCTAssertEqual(mostAtOnce, 4, "the 3 FLACs and the cover uploading at once: " + daemon.log.split(separator: "\n").filter { $0.contains("placed") || $0.contains("verified") || $0.contains("started") }.joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(proxy.maxConcurrentConnections, 4)
        let placed = files(under: server.localPath("/upload"))
        XCTAssertEqual(placed.filter { $0.hasSuffix(".flac") }.count, 3, "\(placed)")
        XCTAssertEqual(placed.filter { $0.contains("BatchComplete_") }.count, 1, "\(placed)")
        XCTAssertFalse(placed.contains { $0.hasSuffix(".ddexd-part") }, "\(placed)")
        XCTAssertEqual(daemon.stop(), 0, daemon.log)
    }

    /// A DSP behind a slow link does not hold back another: while the slow one is still on the first package,
    /// the fast one delivers it and then a second package dropped later. Then SIGTERM ends the daemon within
    /// its shutdown bound although the slow upload is still under way, and a restart finishes it exactly once.
    func testASlowDSPDoesNotDelayAnotherAndShutdownIsBounded() throws {
        let server = try SSHServer()
        _ = try server.makeDropBoxDirectory("slow")
        _ = try server.makeDropBoxDirectory("fast")
        let proxy = try ThrottlingProxy(targetPort: server.port, delay: 0.25)
        let knownHosts = server.root.appendingPathComponent("known_hosts_proxy").path
        try server.writeKnownHosts(to: knownHosts, port: proxy.port)
        let daemon = try DaemonHarness(dsps: [
            "spotify": profile("spotify", dpid: "PADPIDA2011072101T", server: server, port: proxy.port, knownHosts: knownHosts,
                               root: "/slow", sessions: 1),
            "youtube": profile("youtube", dpid: "PADPIDA2013020802I", server: server, port: server.port,
                               knownHosts: server.knownHostsPath, root: "/fast", sessions: 1),
        ])
        try daemon.start()
        try daemon.drop(fixture: "packages/album-flac", as: "first")
        try daemon.waitUntil("the fast DSP has the first package", timeout: 30) { daemon.deliveryState("youtube", package: 0) == "completed" }
        XCTAssertNotEqual(daemon.deliveryState("spotify", package: 0), "completed")
        try daemon.drop(fixture: "packages/album-flac", as: "second")
        try daemon.waitUntil("the fast DSP has the second package", timeout: 30) { daemon.deliveryState("youtube", package: 1) == "completed" }
        XCTAssertNotEqual(daemon.deliveryState("spotify", package: 0), "completed", "the slow DSP is still on the first package")
        XCTAssertEqual(files(under: server.localPath("/fast")).filter { $0.contains("BatchComplete_") }.count, 2)

        // SIGTERM while the slow DSP uploads: within shutdown_timeout_seconds (10) and a little, exit 0.
        let start = Date()
        XCTAssertEqual(daemon.stop(), 0, daemon.log)
        XCTAssertLessThan(Date().timeIntervalSince(start), 14, daemon.log)
        XCTAssertTrue(daemon.log.contains("ddexd stopped"), daemon.log)

        // The restart resumes the slow DSP's deliveries (made fast again) and sends each batch once.
        proxy.stop()
        try daemon.writeConfig()
        _ = try daemon.directory.write(profile("spotify", dpid: "PADPIDA2011072101T", server: server, port: server.port,
                                           knownHosts: server.knownHostsPath, root: "/slow", sessions: 1), to: "config/dsps/spotify.toml")
        try daemon.start()
        try daemon.waitUntil("the slow DSP has both packages after the restart", timeout: 60) {
            daemon.deliveryState("spotify", package: 0) == "completed" && daemon.deliveryState("spotify", package: 1) == "completed"
        }
        let slow = files(under: server.localPath("/slow"))
        XCTAssertEqual(slow.filter { $0.contains("BatchComplete_") }.count, 2, "\(slow)")
        XCTAssertEqual(slow.filter { $0.hasSuffix(".flac") }.count, 6, "\(slow)")
        XCTAssertFalse(slow.contains { $0.hasSuffix(".ddexd-part") }, "\(slow)")
        XCTAssertEqual(daemon.stop(), 0)
    }
}
