import Glibc

/// Opens a blocking TCP socket to a host within a time limit (non-blocking `connect` + `poll`).
enum TCPConnector {
    /// Tries every address the name resolves to until one connects or the time is up. Name resolution itself uses
    /// `getaddrinfo`, which has no timeout of its own (the resolver's, typically 5 s × attempts, applies).
    static func connect(host: String, port: Int, timeoutSeconds: Double) throws(SFTPError) -> Int32 {
        let place = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw SFTPError(.connectFailed, operation: "connect", message: "cannot resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(list) }

        let deadline = Clock.now + timeoutSeconds
        var lastError: SFTPError?
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let remaining = deadline - Clock.now
            guard remaining > 0 else { break }
            do {
                return try connect(info.pointee, place: place, timeoutSeconds: remaining)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? SFTPError(.timeout, operation: "connect",
                                     message: "connecting to \(place) timed out after \(format(timeoutSeconds)) s")
    }

    private static func connect(_ info: addrinfo, place: String, timeoutSeconds: Double) throws(SFTPError) -> Int32 {
        let fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
        guard fd >= 0 else {
            throw SFTPError(.connectFailed, operation: "connect", message: "socket(): \(errnoText())")
        }
        var keep = false
        defer { if !keep { close(fd) } }

        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else {
                throw SFTPError(.connectFailed, operation: "connect", message: "\(place): \(errnoText())")
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(min(max(timeoutSeconds * 1000, 1), Double(Int32.max)))
            var ready: Int32
            repeat { ready = poll(&descriptor, 1, milliseconds) } while ready < 0 && errno == EINTR
            guard ready > 0 else {
                throw SFTPError(.timeout, operation: "connect",
                                message: "connecting to \(place) timed out after \(format(timeoutSeconds)) s")
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else {
                throw SFTPError(.connectFailed, operation: "connect",
                                message: "\(place): \(String(cString: strerror(socketError)))")
            }
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        keep = true
        return fd
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

/// Monotonic seconds, for deadlines.
enum Clock {
    static var now: Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
