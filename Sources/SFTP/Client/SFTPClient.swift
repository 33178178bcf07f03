import CLibSSH2
import Glibc

/// One SFTP session over one SSH connection (libssh2), authenticated with a key, to a host whose key is pinned.
///
/// **Threads:** an `SFTPClient` is deliberately not `Sendable`. libssh2 handles derived from one session must never
/// be used from two threads at once, so a client belongs to one thread (or one actor with a dedicated executor) for
/// its whole life; make one client per worker and parallelise with several clients. Its operations block the
/// calling thread; do not call them on Swift's cooperative thread pool (see `Delivery`'s `SFTPTransport`).
///
/// **Lifecycle:** `init` connects, verifies the host key, authenticates and opens the SFTP channel, or throws.
/// After a timeout or a lost connection the client is *broken*: every further call throws `SFTP_NOT_CONNECTED`
/// and the caller makes a new client. `close()` (or `deinit`) ends the session.
public final class SFTPClient {
    public let configuration: SFTPClientConfiguration
    /// The server's key, as verified against the known_hosts file.
    public let hostKey: HostKey
    /// The known_hosts line that pinned it.
    public let knownHostsLine: Int

    private var state: State

    /// Connects, checks the server's key against the known_hosts file **before** authenticating, authenticates with
    /// the key file and starts the SFTP subsystem.
    public init(configuration: SFTPClientConfiguration) throws(SFTPError) {
        let established = try Self.establish(configuration)
        self.configuration = configuration
        self.hostKey = established.hostKey
        self.knownHostsLine = established.knownHostsLine
        self.state = .open(established.connection)
    }

    deinit {
        close()
    }

    /// The version of the libssh2 library in use, e.g. `1.10.0`.
    public static var libssh2Version: String { LibSSH2Runtime.version }

    /// Whether operations can still be attempted.
    public var isConnected: Bool {
        if case .open = state { return true }
        return false
    }

    /// Ends the session politely if it is healthy; always frees its resources. Safe to call twice.
    public func close() {
        transition(to: .closed)
    }

    /// Sends an SSH keepalive if one is due; call it while holding an idle client. Throws if the connection is gone.
    public func sendKeepaliveIfDue() throws(SFTPError) {
        let connection = try live(operation: "keepalive", path: nil)
        try keepalive(connection)
    }

    // MARK: - State

    /// The client's states. All transitions happen in `transition(to:)`.
    enum State {
        case open(Connection)
        /// The connection broke; resources are released. The error says why.
        case broken(SFTPError)
        case closed
    }

    private func transition(to next: State) {
        switch (state, next) {
        case let (.open(connection), .closed):
            connection.release(graceful: true)
            state = .closed
        case let (.open(connection), .broken):
            connection.release(graceful: false)
            state = next
        case (.broken, .closed):
            state = .closed
        case (.open, .open), (.broken, .broken), (.broken, .open), (.closed, _):
            // Nothing to do: a client never reopens; breaking twice or closing twice keeps the first outcome.
            break
        }
    }

    /// The open connection, or the error saying why there is none.
    func live(operation: String, path: String?) throws(SFTPError) -> Connection {
        switch state {
        case let .open(connection):
            return connection
        case let .broken(cause):
            throw SFTPError(.notConnected, operation: operation, path: path,
                            message: "the connection broke earlier (\(cause.code): \(cause.message)); make a new client")
        case .closed:
            throw SFTPError(.notConnected, operation: operation, path: path, message: "the client was closed")
        }
    }

    /// Records that `error` broke the connection (a timeout or a lost connection), then returns it for throwing.
    func noting(_ error: SFTPError) -> SFTPError {
        if error.kind.breaksConnection { transition(to: .broken(error)) }
        return error
    }

    /// Closes a file handle if the session still exists: a broken session has already freed its handles.
    func closeHandle(_ handle: OpaquePointer) {
        if isConnected { libssh2_sftp_close_handle(handle) }
    }

    func keepalive(_ connection: Connection) throws(SFTPError) {
        guard configuration.keepaliveIntervalSeconds > 0 else { return }
        var next: Int32 = 0
        let rc = libssh2_keepalive_send(connection.session, &next)
        if rc != 0 {
            throw noting(connection.error(Int(rc), operation: "keepalive", path: nil))
        }
    }
}

// MARK: - Connection resources

extension SFTPClient {
    /// The socket, the libssh2 session and the SFTP channel of one open client.
    final class Connection {
        let socket: Int32
        let session: OpaquePointer
        let sftp: OpaquePointer

        init(socket: Int32, session: OpaquePointer, sftp: OpaquePointer) {
            self.socket = socket
            self.session = session
            self.sftp = sftp
        }

        /// Frees everything. A graceful release says goodbye to the server; otherwise the socket is shut first so
        /// libssh2's closing calls fail at once instead of waiting for a dead peer until the timeout.
        func release(graceful: Bool) {
            if !graceful { shutdown(socket, Int32(SHUT_RDWR)) }
            libssh2_sftp_shutdown(sftp)
            if graceful { _ = ddexd_libssh2_session_disconnect(session, "ddexd closing") }
            libssh2_session_free(session)
            Glibc.close(socket)
        }

        func error(_ rc: Int? = nil, operation: String, path: String?, duringWrite: Bool = false) -> SFTPError {
            SFTPClient.error(session: session, sftp: sftp, rc: rc, operation: operation, path: path,
                             duringWrite: duringWrite)
        }
    }

    /// Builds the error for a failed libssh2 call that returned `rc` (or, when `rc` is nil, for a call that returned
    /// a null handle: libssh2's last error then tells what happened).
    static func error(session: OpaquePointer, sftp: OpaquePointer?, rc: Int?, operation: String, path: String?,
                      duringWrite: Bool = false) -> SFTPError
    {
        let code = rc.map { Int32(truncatingIfNeeded: $0) } ?? libssh2_session_last_errno(session)
        if code == LIBSSH2_ERROR_SFTP_PROTOCOL, let sftp {
            let status = SFTPStatus(libssh2_sftp_last_error(sftp))
            return SFTPError(status.kind(duringWrite: duringWrite), operation: operation, path: path,
                             message: explain(status, duringWrite: duringWrite), serverStatus: status.rawValue,
                             libssh2Error: code)
        }
        return SFTPError(kind(ofSessionError: code), operation: operation, path: path,
                         message: "\(lastErrorMessage(session)) (libssh2 error \(code))", libssh2Error: code)
    }

    /// libssh2's last error message, copied out of the session.
    static func lastErrorMessage(_ session: OpaquePointer) -> String {
        var message: UnsafePointer<CChar>?
        _ = ddexd_libssh2_last_error(session, &message)
        return message.map { String(cString: $0) } ?? "unknown libssh2 error"
    }

    static func explain(_ status: SFTPStatus, duringWrite: Bool) -> String {
        var text = "the server said: \(status)"
        if duringWrite && status.rawValue == LIBSSH2_FX_FAILURE {
            text += "; OpenSSH answers this when the disk is full or the quota is exceeded (SFTP v3 has no "
                + "specific code), so the write is worth retrying later"
        }
        return text
    }

    static func kind(ofSessionError code: Int32) -> SFTPError.Kind {
        switch code {
        case LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_TIMEOUT:
            return .timeout
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
            return .authFailed
        case LIBSSH2_ERROR_FILE, LIBSSH2_ERROR_KEYFILE_AUTH_FAILED:
            return .keyUnreadable
        case LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE, LIBSSH2_ERROR_METHOD_NOT_SUPPORTED,
             LIBSSH2_ERROR_METHOD_NONE, LIBSSH2_ERROR_HOSTKEY_INIT, LIBSSH2_ERROR_HOSTKEY_SIGN:
            return .handshakeFailed
        case LIBSSH2_ERROR_INVAL, LIBSSH2_ERROR_BAD_USE:
            return .invalidArgument
        default:
            // Socket errors, disconnects, closed channels, MAC or decryption failures, protocol errors: the session
            // cannot be trusted any more.
            return .connectionLost
        }
    }
}
