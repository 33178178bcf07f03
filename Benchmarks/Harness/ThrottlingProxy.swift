import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on 127.0.0.1 that makes a fast server slow: every chunk it forwards, in either direction, waits
/// `delay` first (at most `chunkBytes` at a time). Put it between ddexd and sshd to make one DSP slow while
/// another, reached directly, stays fast. Counts the connections it carries and the round trips on them: a
/// round trip is the client sending and then the server answering (a turn of the conversation), as a
/// request-response protocol like SFTP makes one per request it waits for.
public final class ThrottlingProxy: @unchecked Sendable {
    public let port: Int
    public let targetPort: Int
    public let delay: TimeInterval
    public let chunkBytes: Int
    private let relay: LoopbackRelayListener
    private let lock = NSLock()
    private var open: Set<Int32> = []
    private var stopped = false
    private var _connections = 0
    private var _concurrent = 0
    private var _maxConcurrent = 0
    private var _roundTrips = 0
    /// Per connection: true while the client spoke last.
    private var clientSpokeLast: [Int32: Bool] = [:]

    /// Listens on a free port of 127.0.0.1 and forwards to `127.0.0.1:targetPort`.
    public init(targetPort: Int, delay: TimeInterval, chunkBytes: Int = 4096) throws {
        self.targetPort = targetPort
        self.delay = delay
        self.chunkBytes = chunkBytes
        relay = try LoopbackRelayListener(targetPort: targetPort)
        port = relay.port
        relay.start(threadName: "throttling-proxy") { [self] client, upstream in carry(client, upstream) }
    }

    deinit { stop() }

    /// Connections accepted so far.
    public var connections: Int { lock.withLock { _connections } }
    /// The most connections open at once.
    public var maxConcurrentConnections: Int { lock.withLock { _maxConcurrent } }
    /// Client-then-server turns on every connection so far.
    public var roundTrips: Int { lock.withLock { _roundTrips } }

    /// Starts counting round trips from zero.
    public func resetRoundTrips() { lock.withLock { _roundTrips = 0 } }

    /// Closes the listener and every connection.
    public func stop() {
        let sockets: Set<Int32> = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            return open
        }
        relay.close()
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// One accepted connection: counted, then pumped both ways on two threads.
    private func carry(_ client: Int32, _ upstream: Int32) {
        let accepted: Bool = lock.withLock {
            guard !stopped else { return false }
            open.formUnion([client, upstream])
            _connections += 1
            _concurrent += 1
            _maxConcurrent = max(_maxConcurrent, _concurrent)
            return true
        }
        guard accepted else {
            close(client)
            close(upstream)
            return
        }
        let pending = Pending(2)
        for (from, to) in [(client, upstream), (upstream, client)] {
            let thread = Thread { [self] in
                pump(from: from, to: to, connection: client, fromClient: from == client)
                if pending.finishOne() { finish(client, upstream) }
            }
            thread.start()
        }
    }

    private func pump(from: Int32, to: Int32, connection: Int32, fromClient: Bool) {
        var buffer = [UInt8](repeating: 0, count: chunkBytes)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, chunkBytes) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            lock.withLock {
                let before = clientSpokeLast[connection] ?? false
                if !fromClient, before { _roundTrips += 1 }
                clientSpokeLast[connection] = fromClient
            }
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            var sent = 0
            while sent < n {
                let w = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                if w < 0, errno == EINTR { continue }
                guard w > 0 else { break }
                sent += w
            }
            if sent < n { break }
        }
        shutdown(from, Int32(SHUT_RD))
        shutdown(to, Int32(SHUT_WR))
    }

    private func finish(_ client: Int32, _ upstream: Int32) {
        lock.withLock {
            open.subtract([client, upstream])
            clientSpokeLast[client] = nil
            _concurrent -= 1
        }
        close(client)
        close(upstream)
    }

    /// Counts down the two directions of a connection.
    private final class Pending: @unchecked Sendable {
        private let lock = NSLock()
        private var left: Int
        init(_ count: Int) { left = count }
        /// True for the last one to finish.
        func finishOne() -> Bool { lock.withLock { left -= 1; return left == 0 } }
    }
}
