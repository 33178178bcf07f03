import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The half every test proxy shares: a listening socket on a free port of 127.0.0.1 whose accepted connections
/// are each paired with a new connection to `127.0.0.1:targetPort` and handed, both sockets, to the proxy.
/// `DelayProxy` and `ThrottlingProxy` differ only in how they carry the bytes between the two.
final class LoopbackRelayListener: @unchecked Sendable {
    let port: Int
    let targetPort: Int
    private let listener: Int32

    init(targetPort: Int) throws {
        self.targetPort = targetPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket(): \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw HarnessError("the proxy cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
    }

    /// Accepts on a thread of its own until `close()`; `connection(client, upstream)` then owns both sockets. A
    /// client whose upstream cannot be reached is closed at once.
    func start(threadName: String, connection: @escaping @Sendable (_ client: Int32, _ upstream: Int32) -> Void) {
        let thread = Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = Self.loopback(port: targetPort)
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else {
                    Glibc.close(client)
                    Glibc.close(upstream)
                    continue
                }
                connection(client, upstream)
            }
        }
        thread.name = threadName
        thread.start()
    }

    /// Stops accepting; the connections already handed over are the proxy's to end.
    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
