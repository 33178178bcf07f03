import DDEXModel

/// A failed SFTP operation, with a stable code, the operation and path it concerned, and whether retrying later can
/// help.
///
/// Messages never contain secrets (passphrases, key contents); they name files by path and keys by fingerprint.
public struct SFTPError: CodedError, Sendable, Equatable {
    /// What went wrong, as a stable code (`SFTP_…`).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The TCP connection could not be made (refused, unreachable, name not resolved).
        case connectFailed = "SFTP_CONNECT_FAILED"
        /// Connecting or an operation took longer than its timeout.
        case timeout = "SFTP_TIMEOUT"
        /// The SSH handshake failed (no common algorithm, or the server offers none of the pinned host-key types).
        case handshakeFailed = "SFTP_HANDSHAKE_FAILED"
        /// The host has no entry in the known_hosts file: ddexd never trusts on first use.
        case hostKeyUnknown = "SFTP_HOSTKEY_UNKNOWN"
        /// The host is known with a different key: the key changed, or someone is in the middle.
        case hostKeyMismatch = "SFTP_HOSTKEY_MISMATCH"
        /// The server's key is marked `@revoked` in the known_hosts file.
        case hostKeyRevoked = "SFTP_HOSTKEY_REVOKED"
        /// The known_hosts file is missing, unreadable, or has no usable line.
        case knownHostsUnreadable = "SFTP_KNOWN_HOSTS_UNREADABLE"
        /// The private key file is missing, unreadable, in an unsupported format, or the passphrase is wrong.
        case keyUnreadable = "SFTP_KEY_UNREADABLE"
        /// The server refused the key (or the user).
        case authFailed = "SFTP_AUTH_FAILED"
        /// The SSH connection works but the server refused the `sftp` subsystem.
        case subsystemFailed = "SFTP_SUBSYSTEM_FAILED"
        case permissionDenied = "SFTP_PERMISSION_DENIED"
        case noSuchFile = "SFTP_NO_SUCH_FILE"
        case fileExists = "SFTP_FILE_EXISTS"
        case notADirectory = "SFTP_NOT_A_DIRECTORY"
        /// The server said its disk is full or the quota is exceeded (SFTP v5+ codes; OpenSSH never sends them).
        case diskFull = "SFTP_DISK_FULL"
        /// A write failed with the generic `SSH_FX_FAILURE`. OpenSSH's `internal-sftp` reports ENOSPC and EDQUOT
        /// this way (SFTP v3 has no specific code), so this is treated as a full disk: retryable.
        case writeFailed = "SFTP_WRITE_FAILED"
        /// The server failed an operation with the generic `SSH_FX_FAILURE` (outside a write).
        case failure = "SFTP_FAILURE"
        /// The operation is not supported by the server.
        case unsupported = "SFTP_UNSUPPORTED"
        /// The connection broke (server gone, reset, protocol error). The client cannot be used again.
        case connectionLost = "SFTP_CONNECTION_LOST"
        /// A local file could not be read or written.
        case localIO = "SFTP_LOCAL_IO_FAILED"
        /// The caller passed something unusable (an empty path, a resume offset past the end of the file).
        case invalidArgument = "SFTP_INVALID_ARGUMENT"
        /// The client was used after `close()` or after its connection broke.
        case notConnected = "SFTP_NOT_CONNECTED"
        /// The server broke off a step of the protocol (an unexpected or missing message while logging in, a
        /// malformed SFTP reply). Not a refused key: the step is named, and a new connection may well succeed.
        case protocolError = "SFTP_PROTOCOL_ERROR"
        /// Another file is already under the final name (other bytes, or not a regular file): ddexd never replaces it.
        case conflict = "SFTP_TARGET_CONFLICT"
        /// An uploaded file's size on the server differs from the local file's.
        case sizeMismatch = "SFTP_SIZE_MISMATCH"
    }

    public var kind: Kind
    /// What ddexd was doing, e.g. `upload`, `rename`, `connect`.
    public var operation: String
    /// The remote (or local) path concerned, if any.
    public var path: String?
    /// A sentence a person can act on.
    public var message: String
    /// The SFTP status code the server sent (`SSH_FX_*`), if the failure came from the server.
    public var serverStatus: UInt?
    /// libssh2's error code (`LIBSSH2_ERROR_*`), if any.
    public var libssh2Error: Int32?
    /// Whether the same operation may succeed later on a new connection. Kinds that need a person (host key,
    /// authentication, permissions, configuration) are not retryable; so is a local error other than a full disk.
    /// (Delivery decides through `TransportError.Kind`, which every SFTP kind maps to.)
    public var isRetryable: Bool
    /// For a refused host key: the pinned fingerprints and the one the server offered.
    public var hostKey: HostKeyFingerprints?

    /// The fingerprints behind `hostKeyMismatch` (`SHA256:…`), so an operator can compare them with the DSP's.
    public struct HostKeyFingerprints: Sendable, Equatable {
        /// The fingerprints known_hosts pins for the host (empty when the host is unknown).
        public var expected: [String]
        /// The fingerprint of the key the server offered.
        public var offered: String

        public init(expected: [String], offered: String) {
            self.expected = expected
            self.offered = offered
        }
    }

    public init(_ kind: Kind, operation: String, path: String? = nil, message: String, serverStatus: UInt? = nil,
                libssh2Error: Int32? = nil, isRetryable: Bool? = nil, hostKey: HostKeyFingerprints? = nil)
    {
        self.hostKey = hostKey
        self.kind = kind
        self.operation = operation
        self.path = path
        self.message = message
        self.serverStatus = serverStatus
        self.libssh2Error = libssh2Error
        self.isRetryable = isRetryable ?? kind.isRetryableByDefault
    }

    public var code: String { kind.rawValue }

    public var description: String {
        var text = "\(code): \(operation)"
        if let path { text += " \(path)" }
        return text + ": \(message)"
    }
}

extension SFTPError.Kind {
    /// Network trouble, timeouts, a server gone away and a full disk can heal; everything else needs a person.
    public var isRetryableByDefault: Bool {
        switch self {
        case .connectFailed, .timeout, .connectionLost, .subsystemFailed, .diskFull, .writeFailed, .failure,
             .notConnected, .protocolError, .sizeMismatch:
            return true
        case .handshakeFailed, .hostKeyUnknown, .hostKeyMismatch, .hostKeyRevoked, .knownHostsUnreadable,
             .keyUnreadable, .authFailed, .permissionDenied, .noSuchFile, .fileExists, .notADirectory, .unsupported,
             .localIO, .invalidArgument, .conflict:
            return false
        }
    }

    /// Whether an error of this kind leaves the connection unusable.
    var breaksConnection: Bool {
        switch self {
        case .timeout, .connectionLost, .protocolError: return true
        default: return false
        }
    }
}
