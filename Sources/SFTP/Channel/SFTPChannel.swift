import CLibSSH2
import Glibc

/// SFTP version 3 spoken by ddexd itself over one SSH channel that libssh2 carries (libssh2 1.10's own SFTP layer
/// cannot pipeline requests, list the server's extensions, or call `hardlink@openssh.com` and `limits@openssh.com`).
///
/// Requests are queued with ids and sent as the channel's window allows; replies are matched by id as they come, in
/// any order. Callers queue several requests, then wait for the replies they need: round trips overlap instead of
/// adding up. The session is non-blocking; `pump` sends, receives and waits on the socket, and a wait longer than
/// the I/O timeout without any progress breaks the channel.
///
/// Not thread-safe: owned by one `SFTPClient`, used by one thread at a time.
final class SFTPChannel {
    let session: OpaquePointer
    let channel: OpaquePointer
    let socket: Int32
    var ioTimeoutSeconds: Double
    let outgoing: SFTPOutgoingQueue
    /// The version the server answered with, and the extensions it announced (name, data), in its order.
    private(set) var version: UInt32?
    private(set) var extensions: [(name: String, data: [UInt8])] = []
    /// Set once the channel failed in a way that leaves it unusable.
    private(set) var broken: SFTPError?

    private enum Pending {
        case reply
        /// A reply nobody waits for (closing a handle after an error): dropped when it comes.
        case ignored
        case write(SFTPWriteStream, bytes: Int)
        case read(SFTPReadStream, offset: UInt64, length: Int)
    }

    /// Which libssh2 call left a packet half sent. libssh2 finishes a half-sent packet on the next send of *any*
    /// packet and then reports that packet as sent, so only the call that started it may be made until it is out.
    private enum HalfSent { case none, write, read }

    private var nextID: UInt32 = 1
    private var pending: [UInt32: Pending] = [:]
    private var replies: [UInt32: SFTPReply] = [:]
    private var halfSent = HalfSent.none
    private var lastProgress = monotonicSeconds()
    private var incoming: UnsafeMutableRawPointer
    private var incomingCapacity = 512 * 1024
    private var incomingStart = 0, incomingEnd = 0
    /// Replies larger than this are a protocol error (OpenSSH sends at most 256 KiB).
    private static let largestReply = 16 * 1024 * 1024

    init(session: OpaquePointer, channel: OpaquePointer, socket: Int32, ioTimeoutSeconds: Double, largestRequest: Int) {
        self.session = session
        self.channel = channel
        self.socket = socket
        self.ioTimeoutSeconds = ioTimeoutSeconds
        outgoing = SFTPOutgoingQueue(largestRequest: largestRequest)
        incoming = UnsafeMutableRawPointer.allocate(byteCount: incomingCapacity, alignment: 16)
    }

    deinit { incoming.deallocate() }

    /// Requests sent or queued whose reply has not arrived.
    var outstanding: Int { pending.count }

    // MARK: - Requests

    /// Queues a request of `type` whose arguments `build` writes (at most `payload` bytes); returns its id.
    @discardableResult
    func send(_ type: UInt8, payload: Int, _ build: (inout SFTPRequestWriter) -> Void) throws(SFTPError) -> UInt32 {
        let id = try queue(type, payload: payload) { writer throws(SFTPError) in build(&writer) }
        pending[id] = .reply
        return id
    }

    /// Drops the reply to `id` when it comes (closing a handle nobody waits on).
    func forget(_ id: UInt32) {
        if replies.removeValue(forKey: id) == nil, pending[id] != nil { pending[id] = .ignored }
    }

    /// Queues a write of `count` bytes of `file`, read from where the file is positioned, at `offset` of `handle`.
    /// Returns the bytes taken from the file (fewer only at its end).
    func sendWrite(handle: [UInt8], offset: UInt64, count: Int, from file: LocalFile,
                   stream: SFTPWriteStream) throws(SFTPError) -> Int
    {
        var taken = 0
        let id = try queue(SFTPMessage.write, payload: 4 + handle.count + 8 + 4 + count) { writer throws(SFTPError) in
            writer.string(handle)
            writer.uint64(offset)
            writer.uint32(UInt32(count))
            let data = writer.reserve(count)
            taken = try file.read(into: data, count: count)
            if taken < count {
                writer.unreserve(count - taken)
                // The length field written above must match what follows it.
                data.advanced(by: -4).storeBytes(of: UInt32(taken).bigEndian, as: UInt32.self)
            }
        }
        pending[id] = .write(stream, bytes: taken)
        stream.inFlight += taken
        stream.requestsOut += 1
        return taken
    }

    /// Queues a read of `length` bytes at `offset` of `handle`, whose data goes to `stream`'s file.
    func sendRead(handle: [UInt8], offset: UInt64, length: Int, stream: SFTPReadStream) throws(SFTPError) {
        let id = try send(SFTPMessage.read, payload: 4 + handle.count + 12) {
            $0.string(handle)
            $0.uint64(offset)
            $0.uint32(UInt32(length))
        }
        pending[id] = .read(stream, offset: offset, length: length)
        stream.requestsOut += 1
    }

    private func queue(_ type: UInt8, payload: Int,
                       _ build: (inout SFTPRequestWriter) throws(SFTPError) -> Void) throws(SFTPError) -> UInt32
    {
        if let broken { throw broken }
        let id = nextID
        nextID &+= 1
        _ = try outgoing.append(maximumSize: SFTPRequestWriter.size(payload: payload)) { writer throws(SFTPError) in
            writer.byte(type)
            writer.uint32(id)
            try build(&writer)
        }
        return id
    }

    /// The reply to request `id`, waiting for it as long as the server makes progress.
    func reply(_ id: UInt32) throws(SFTPError) -> SFTPReply {
        while true {
            if let reply = replies.removeValue(forKey: id) { return reply }
            try pump(wait: true)
        }
    }

    /// The reply to `id` if it has arrived (without waiting).
    func takeReply(_ id: UInt32) -> SFTPReply? {
        replies.removeValue(forKey: id)
    }

    /// Whether the reply to `id` has arrived.
    func hasReply(_ id: UInt32) -> Bool { replies[id] != nil }

    /// Sends `SSH_FXP_INIT` and waits for the server's version and extensions.
    func start() throws(SFTPError) {
        _ = try outgoing.append(maximumSize: 9) { writer in
            writer.byte(SFTPMessage.initialise)
            writer.uint32(SFTPMessage.protocolVersion)
        }
        while version == nil { try pump(wait: true) }
    }

    // MARK: - Moving bytes

    /// Sends what the window allows, takes in what arrived and dispatches the replies; with `wait`, when neither
    /// moved, waits for the socket (at most the I/O timeout since the last progress, then throws `SFTP_TIMEOUT`).
    func pump(wait: Bool) throws(SFTPError) {
        if let broken { throw broken }
        do throws(SFTPError) {
            var progressed = false
            if halfSent != .read { progressed = try flush() }
            if halfSent != .write { progressed = try receive() || progressed }
            if progressed {
                lastProgress = monotonicSeconds()
            } else if wait {
                try waitForSocket()
            }
        } catch {
            broken = error
            throw error
        }
    }

    private func flush() throws(SFTPError) -> Bool {
        var progressed = false
        while let front = outgoing.front {
            let rc = libssh2_channel_write_ex(channel, 0, front.baseAddress!.assumingMemoryBound(to: CChar.self),
                                              front.count)
            if rc > 0 {
                outgoing.consume(rc)
                halfSent = .none
                progressed = true
                continue
            }
            if rc == 0 { break } // the window is full: wait for the server to open it
            guard rc == Int(LIBSSH2_ERROR_EAGAIN) else { throw sessionError(Int32(truncatingIfNeeded: rc), "send") }
            let outbound = libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
            halfSent = outbound ? .write : .none
            break
        }
        return progressed
    }

    private func receive() throws(SFTPError) -> Bool {
        var progressed = false
        while true {
            makeRoomForIncoming()
            let rc = libssh2_channel_read_ex(channel, 0, incoming.advanced(by: incomingEnd)
                .assumingMemoryBound(to: CChar.self), incomingCapacity - incomingEnd)
            if rc > 0 {
                incomingEnd += rc
                halfSent = .none
                progressed = true
                try dispatchReplies()
                continue
            }
            if rc == Int(LIBSSH2_ERROR_EAGAIN) {
                // A window adjustment libssh2 started for our receiving side may be half sent.
                halfSent = libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
                    ? .read : .none
                return progressed
            }
            if rc == 0 {
                if libssh2_channel_eof(channel) != 0 {
                    throw SFTPError(.connectionLost, operation: "sftp", message: "the server closed the SFTP channel")
                }
                return progressed
            }
            throw sessionError(Int32(truncatingIfNeeded: rc), "receive")
        }
    }

    private func waitForSocket() throws(SFTPError) {
        let remaining = ioTimeoutSeconds - (monotonicSeconds() - lastProgress)
        guard remaining > 0 else {
            throw SFTPError(.timeout, operation: "sftp",
                            message: "the server sent nothing for \(formatSeconds(ioTimeoutSeconds)) s while "
                                + "\(pending.count) request(s) waited for an answer")
        }
        // With a packet half sent only that packet may move, so only writability counts (waiting for readability
        // too would spin while replies queue up); otherwise what can unblock us is the server's data or window.
        let events = halfSent != .none ? POLLOUT : POLLIN
        var descriptor = pollfd(fd: socket, events: Int16(events), revents: 0)
        _ = poll(&descriptor, 1, Int32(min(remaining * 1000 + 1, 60_000)))
    }

    private func sessionError(_ rc: Int32, _ what: String) -> SFTPError {
        var error = SFTPClient.error(session: session, rc: Int(rc), operation: "sftp", path: nil)
        if !error.kind.breaksConnection { error.kind = .connectionLost }
        error.isRetryable = true
        error.message = "the connection failed while ddexd \(what == "send" ? "sent requests" : "read replies"): "
            + error.message
        return error
    }

    private func makeRoomForIncoming() {
        if incomingStart == incomingEnd {
            incomingStart = 0
            incomingEnd = 0
        } else if incomingCapacity - incomingEnd < 64 * 1024 && incomingStart > 0 {
            memmove(incoming, incoming.advanced(by: incomingStart), incomingEnd - incomingStart)
            incomingEnd -= incomingStart
            incomingStart = 0
        }
    }

    // MARK: - Replies

    private func dispatchReplies() throws(SFTPError) {
        while incomingEnd - incomingStart >= 4 {
            let length = Int(UInt32(bigEndian: incoming.loadUnaligned(fromByteOffset: incomingStart, as: UInt32.self)))
            guard length >= 1, length <= Self.largestReply else {
                throw SFTPError(.protocolError, operation: "sftp", message: "the server sent a reply of \(length) bytes")
            }
            if incomingEnd - incomingStart < 4 + length {
                if 4 + length > incomingCapacity { growIncoming(to: 4 + length) }
                return
            }
            try dispatch(SFTPReplyReader(incoming.advanced(by: incomingStart + 4), count: length))
            incomingStart += 4 + length
        }
    }

    private func growIncoming(to size: Int) {
        let capacity = max(size, 2 * incomingCapacity)
        let larger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        larger.copyMemory(from: incoming.advanced(by: incomingStart), byteCount: incomingEnd - incomingStart)
        incoming.deallocate()
        incoming = larger
        incomingEnd -= incomingStart
        incomingStart = 0
        incomingCapacity = capacity
    }

    private func dispatch(_ packet: SFTPReplyReader) throws(SFTPError) {
        var reader = packet
        guard let type = reader.byte() else { throw malformed("an empty reply") }
        if type == SFTPMessage.version {
            guard let number = reader.uint32() else { throw malformed("a version without a number") }
            while reader.remaining > 0 {
                guard let name = reader.string(), let data = reader.bytes() else { throw malformed("the version") }
                extensions.append((name, Array(data)))
            }
            version = number
            return
        }
        guard let id = reader.uint32(), let expectation = pending.removeValue(forKey: id) else {
            throw malformed("a reply (type \(type)) to a request ddexd did not send")
        }
        switch expectation {
        case .reply:
            replies[id] = try Self.parse(type: type, &reader)
        case .ignored:
            break
        case let .write(stream, bytes):
            stream.inFlight -= bytes
            stream.requestsOut -= 1
            let reply = try Self.parse(type: type, &reader)
            if reply.isOK {
                stream.acknowledged += UInt64(bytes)
            } else if stream.error == nil {
                stream.error = reply.failure(operation: "upload", path: stream.remotePath, duringWrite: true)
                    ?? reply.unexpected(operation: "upload", path: stream.remotePath, expected: "a status")
            }
        case let .read(stream, offset, length):
            stream.requestsOut -= 1
            if type == SFTPMessage.data, let data = reader.bytes() {
                if data.count == 0 {
                    stream.endOfFile = min(stream.endOfFile ?? offset, offset)
                } else {
                    stream.store(UnsafeRawBufferPointer(rebasing: data.prefix(length)), at: offset)
                    if data.count < length { stream.gaps.append((offset + UInt64(data.count), length - data.count)) }
                }
            } else {
                let reply = try Self.parse(type: type, &reader)
                if case let .status(code, _) = reply, code == SFTPMessage.endOfFile {
                    stream.endOfFile = min(stream.endOfFile ?? offset, offset)
                } else if stream.error == nil {
                    stream.error = reply.unexpected(operation: "download", path: stream.remotePath, expected: "data")
                }
            }
        }
    }

    private static func parse(type: UInt8, _ reader: inout SFTPReplyReader) throws(SFTPError) -> SFTPReply {
        switch type {
        case SFTPMessage.status:
            guard let code = reader.uint32() else { throw malformed("a status without a code") }
            // Some v3 servers send no message text; it is optional here.
            return .status(code: code, message: reader.string() ?? "")
        case SFTPMessage.handle:
            guard let handle = reader.bytes() else { throw malformed("a handle") }
            return .handle(Array(handle))
        case SFTPMessage.data:
            guard let data = reader.bytes() else { throw malformed("data") }
            return .data(Array(data))
        case SFTPMessage.attributes:
            guard let info = reader.attributes() else { throw malformed("attributes") }
            return .attributes(info)
        case SFTPMessage.name:
            guard let count = reader.uint32() else { throw malformed("a name list") }
            var entries: [SFTPDirectoryEntry] = []
            for _ in 0..<count {
                guard let name = reader.string(), reader.bytes() != nil, let info = reader.attributes() else {
                    throw malformed("a name list")
                }
                entries.append(SFTPDirectoryEntry(name: name, info: info))
            }
            return .names(entries)
        case SFTPMessage.extendedReply:
            return .extended(Array(reader.bytes(count: reader.remaining)))
        default:
            throw malformed("a reply of unknown type \(type)")
        }
    }

    private static func malformed(_ what: String) -> SFTPError {
        SFTPError(.protocolError, operation: "sftp", message: "the server sent \(what) that ddexd cannot read")
    }

    private func malformed(_ what: String) -> SFTPError { Self.malformed(what) }
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
