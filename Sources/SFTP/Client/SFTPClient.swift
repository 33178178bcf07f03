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
    /// What the server turned out to be at connect: algorithms, SFTP version, extensions, limits, window.
    public let server: SFTPServerProfile

    private var state: State
    /// How `place` puts files under their final names; starts as the server's, and falls back for the session when
    /// the server refuses what it announced.
    var placementMethod: SFTPServerProfile.Placement

    /// Connects, checks the server's key against the known_hosts file **before** authenticating, authenticates with
    /// the key file and starts the SFTP subsystem.
    public init(configuration: SFTPClientConfiguration) throws(SFTPError) {
        let established = try Self.establish(configuration)
        self.configuration = configuration
        self.hostKey = established.hostKey
        self.knownHostsLine = established.knownHostsLine
        self.server = established.server
        self.placementMethod = established.server.placement
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

    func keepalive(_ connection: Connection) throws(SFTPError) {
        guard configuration.keepaliveIntervalSeconds > 0 else { return }
        var next: Int32 = 0
        // Blocking for this one call: a keepalive half sent in non-blocking mode would be finished, and taken for
        // sent, by the channel's next packet (see `SFTPChannel`). The channel has nothing half sent when idle.
        let rc = connection.blocking { libssh2_keepalive_send(connection.session, &next) }
        if rc != 0 {
            throw noting(connection.error(Int(rc), operation: "keepalive", path: nil))
        }
    }
}

