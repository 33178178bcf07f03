import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on 127.0.0.1 that delays every byte by half a round trip in each direction, so that a server on
/// loopback looks as far away as a DSP: benchmarks measure what a long link does to round trips and windows without
/// touching the machine's network settings (no `tc netem` on a shared loopback).
///
/// Bytes are read as they come and written once their time is due; the proxy adds latency, not a bandwidth limit
/// (loopback bandwidth stays), and it never drops or reorders. Stopped by `stop()` or when it goes away.
public final class DelayProxy: @unchecked Sendable {
    public let port: Int
    public let roundTripSeconds: Double
    private let relay: LoopbackRelayListener
    private let lock = NSLock()
    private var sockets: [Int32] = []
    private var stopped = false
    private var threadCPU = 0.0
    private var runningThreads = 0

    /// Listens on a free port and forwards each connection to 127.0.0.1:`targetPort`.
    public init(targetPort: Int, roundTripMilliseconds: Double) throws {
        roundTripSeconds = roundTripMilliseconds / 1000
        relay = try LoopbackRelayListener(targetPort: targetPort)
        port = relay.port
        relay.start(threadName: "delay-proxy") { [self] client, server in carry(client, server) }
    }

    deinit { stop() }

    /// CPU seconds the proxy's threads used, counted when each connection ends (`waitUntilIdle()` first): a
    /// benchmark subtracts it from its own process's CPU time to measure the client alone.
    public var cpuSeconds: Double { lock.withLock { threadCPU } }

    /// Waits (5 s at most) until every proxied connection has ended.
    public func waitUntilIdle() {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, lock.withLock({ runningThreads }) > 0 { usleep(5_000) }
    }

    fileprivate func threadStarted() { lock.withLock { runningThreads += 1 } }

    fileprivate func threadEnded() {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        let used = Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        lock.withLock {
            threadCPU += used
            runningThreads -= 1
        }
    }

    /// Closes the listener and every connection.
    public func stop() {
        let open: [Int32] = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            return sockets
        }
        relay.close()
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// One accepted connection: each direction through a `DelayedPipe`, both sockets closed when both end.
    private func carry(_ client: Int32, _ server: Int32) {
        for fd in [client, server] {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let keep = lock.withLock { () -> Bool in
            if stopped { return false }
            sockets += [client, server]
            return true
        }
        guard keep else {
            close(client)
            close(server)
            return
        }
        let delay = roundTripSeconds / 2
        let done = DispatchGroup()
        for (from, to) in [(client, server), (server, client)] {
            done.enter()
            DelayedPipe(from: from, to: to, delay: delay, proxy: self).start { done.leave() }
        }
        let closer = Thread {
            done.wait()
            close(client)
            close(server)
        }
        closer.start()
    }
}

/// One direction of a proxied connection: a reader thread stamps what arrives, a writer thread sends it when due.
private final class DelayedPipe: @unchecked Sendable {
    let from: Int32
    let to: Int32
    let delay: Double
    let proxy: DelayProxy
    private let condition = NSCondition()
    private var queue: [(due: Double, data: Data)] = []
    private var ended = false

    init(from: Int32, to: Int32, delay: Double, proxy: DelayProxy) {
        self.from = from
        self.to = to
        self.delay = delay
        self.proxy = proxy
    }

    func start(finished: @escaping @Sendable () -> Void) {
        proxy.threadStarted()
        proxy.threadStarted()
        let reader = Thread { [self] in
            read()
            proxy.threadEnded()
        }
        let writer = Thread { [self] in
            write()
            finished()
            proxy.threadEnded()
        }
        reader.start()
        writer.start()
    }

    private func read() {
        let size = 256 * 1024
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, size, 0) }
            if n < 0 && errno == EINTR { continue }
            condition.lock()
            if n <= 0 {
                ended = true
            } else {
                queue.append((now() + delay, Data(buffer[0..<n])))
            }
            condition.signal()
            condition.unlock()
            if n <= 0 { return }
        }
    }

    private func write() {
        var head = 0
        while true {
            condition.lock()
            while head >= queue.count && !ended { condition.wait() }
            if head >= queue.count {
                condition.unlock()
                shutdown(to, Int32(SHUT_WR))
                return
            }
            let (due, data) = queue[head]
            head += 1
            if head > 1024 {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            let wait = due - now()
            if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            var sent = 0
            while sent < data.count {
                let n = data.withUnsafeBytes { send(to, $0.baseAddress! + sent, data.count - sent, Int32(MSG_NOSIGNAL)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                sent += n
            }
        }
    }

    private func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
