import DDEXModel
import SFTP

/// A failed transport or delivery operation, matchable by `kind`:
///
/// ```swift
/// do { try transport.rename(temporary, to: final) }
/// catch let error as TransportError where error.kind == .fileExists { … }
/// ```
///
/// `code` is the stable code operators see (`SFTP_PERMISSION_DENIED`, `TRANSPORT_DISK_FULL`,
/// `DELIVERY_SIZE_MISMATCH`, …); `kind` is what callers decide on. Whether an error is worth retrying, and
/// whether it stops every transfer to the DSP, is decided once, by `kind` (`Kind.isRetryable`,
/// `Kind.blocksDSP`), never by a caller reading codes.
public struct TransportError: RetryableError, Sendable, Equatable {
    /// What went wrong, independent of the transport.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Could not reach the server, or the connection broke (refused, unreachable, reset, server gone).
        case connection
        /// Connecting or an operation took longer than its timeout.
        case timeout
        /// The server refused the key or the user.
        case authentication
        /// The server's host key is unknown, changed (both fingerprints in `hostKey`) or revoked.
        case hostKeyMismatch
        /// Settings are missing or unusable (no key file, no known_hosts, no host).
        case configuration
        /// No common algorithm, or the server does not support an operation delivery needs.
        case protocolError = "protocol"
        case permissionDenied
        /// The server's (or the local target's) disk is full or over quota.
        case noSpace
        case fileExists
        case notFound
        /// Something else is in the way: a folder where a file belongs, or a final file of another size.
        case remoteConflict
        /// The uploaded file's size differs from the local file's.
        case sizeMismatch
        /// The server failed an operation without saying why (SFTP's generic failure, an I/O error).
        case serverFailure
        /// A path with `..`, a NUL, or otherwise unusable.
        case invalidPath
        /// A local file could not be read, or changed since its bundle was built.
        case localIO

        /// The one classification: network trouble, timeouts, full disks, generic server failures and short
        /// files can heal by themselves; everything else needs a person.
        public var isRetryable: Bool {
            switch self {
            case .connection, .timeout, .noSpace, .sizeMismatch, .serverFailure: true
            case .authentication, .hostKeyMismatch, .configuration, .protocolError, .permissionDenied, .fileExists,
                 .notFound, .remoteConflict, .invalidPath, .localIO: false
            }
        }

        /// Errors about the DSP's server as a whole rather than one delivery: nothing can reach the DSP until a
        /// person acts, so its worker parks it as `blocked` instead of failing every delivery in turn.
        public var blocksDSP: Bool {
            switch self {
            case .authentication, .hostKeyMismatch, .configuration, .protocolError: true
            case .connection, .timeout, .permissionDenied, .noSpace, .fileExists, .notFound, .remoteConflict,
                 .sizeMismatch, .serverFailure, .invalidPath, .localIO: false
            }
        }
    }

    /// The pinned fingerprints and the one the server offered, for `.hostKeyMismatch`.
    public struct HostKeyFingerprints: Sendable, Equatable {
        /// Pinned in known_hosts (empty for an unknown host).
        public var expected: [String]
        /// Offered by the server.
        public var offered: String

        public init(expected: [String], offered: String) {
            self.expected = expected
            self.offered = offered
        }
    }

    public var kind: Kind
    public var code: String
    public var path: String?
    public var message: String
    public var hostKey: HostKeyFingerprints?

    public init(_ kind: Kind, code: String, path: String? = nil, message: String, hostKey: HostKeyFingerprints? = nil) {
        self.kind = kind
        self.code = code
        self.path = path
        self.message = message
        self.hostKey = hostKey
    }

    public var isRetryable: Bool { kind.isRetryable }

    public var description: String {
        "\(code): " + (path.map { "\($0): " } ?? "") + message
    }

    /// The transport-neutral view of an SFTP error (same code and message).
    public init(_ error: SFTPError) {
        self.init(Self.kind(of: error.kind), code: error.code, path: error.path, message: "\(error.operation): \(error.message)",
                  hostKey: error.hostKey.map { HostKeyFingerprints(expected: $0.expected, offered: $0.offered) })
    }

    static func kind(of kind: SFTPError.Kind) -> Kind {
        switch kind {
        // A protocol step the server broke off (a login interrupted by an unexpected message) is worth a new
        // connection, like a dropped one; it is not a refused key.
        case .connectFailed, .connectionLost, .notConnected, .subsystemFailed, .protocolError: .connection
        case .timeout: .timeout
        case .handshakeFailed, .unsupported: .protocolError
        case .hostKeyUnknown, .hostKeyMismatch, .hostKeyRevoked: .hostKeyMismatch
        case .authFailed: .authentication
        case .knownHostsUnreadable, .keyUnreadable: .configuration
        case .invalidArgument: .invalidPath
        case .permissionDenied: .permissionDenied
        case .noSuchFile: .notFound
        case .fileExists: .fileExists
        case .notADirectory, .conflict: .remoteConflict
        case .sizeMismatch: .sizeMismatch
        case .diskFull, .writeFailed: .noSpace
        case .failure: .serverFailure
        case .localIO: .localIO
        }
    }

    /// `rename` found its destination taken: transports never overwrite.
    public static func exists(_ path: String) -> TransportError {
        TransportError(.fileExists, code: "TRANSPORT_FILE_EXISTS", path: path, message: "already exists")
    }

    static func invalidPath(_ path: String, _ reason: String) -> TransportError {
        TransportError(.invalidPath, code: "TRANSPORT_INVALID_PATH", path: path, message: reason)
    }
}
