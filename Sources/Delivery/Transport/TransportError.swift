import DDEXModel
import SFTP

/// A failed transport operation: a stable `code` (from the transport, e.g. `SFTP_PERMISSION_DENIED` or
/// `LOCAL_DISK_FULL`), a transport-neutral `kind` to decide on, and whether retrying later can help.
public struct TransportError: RetryableError, Sendable, Equatable {
    /// What went wrong, independent of the transport.
    public enum Kind: String, Sendable, Hashable {
        /// Could not reach the server (refused, unreachable, name unknown, handshake).
        case connect
        case timeout
        /// The server's key is unknown, changed or revoked.
        case hostKey
        case authentication
        /// Settings are missing or unusable (no key file, no known_hosts, no host).
        case configuration
        case permissionDenied
        case notFound
        case alreadyExists
        case notADirectory
        case diskFull
        /// A write failed for a reason the server did not name (with OpenSSH: usually a full disk or quota).
        case writeFailed
        case connectionLost
        /// The uploaded file's size differs from the local file's.
        case sizeMismatch
        /// A path with `..`, a NUL, or otherwise unusable.
        case invalidPath
        /// A local file could not be read or written.
        case localIO
        case other
    }

    public var kind: Kind
    public var code: String
    public var path: String?
    public var message: String
    public var isRetryable: Bool

    public init(_ kind: Kind, code: String, path: String? = nil, message: String, isRetryable: Bool) {
        self.kind = kind
        self.code = code
        self.path = path
        self.message = message
        self.isRetryable = isRetryable
    }

    public var description: String {
        "\(code): " + (path.map { "\($0): " } ?? "") + message
    }

    /// The transport-neutral view of an SFTP error (same code, message and retry classification).
    public init(_ error: SFTPError) {
        let kind: Kind
        switch error.kind {
        case .connectFailed, .handshakeFailed, .subsystemFailed: kind = .connect
        case .timeout: kind = .timeout
        case .hostKeyUnknown, .hostKeyMismatch, .hostKeyRevoked: kind = .hostKey
        case .authFailed: kind = .authentication
        case .knownHostsUnreadable, .keyUnreadable, .invalidArgument: kind = .configuration
        case .permissionDenied: kind = .permissionDenied
        case .noSuchFile: kind = .notFound
        case .fileExists: kind = .alreadyExists
        case .notADirectory: kind = .notADirectory
        case .diskFull: kind = .diskFull
        case .writeFailed: kind = .writeFailed
        case .connectionLost, .notConnected: kind = .connectionLost
        case .localIO: kind = .localIO
        case .failure, .unsupported: kind = .other
        }
        self.init(kind, code: error.code, path: error.path,
                  message: "\(error.operation): \(error.message)", isRetryable: error.isRetryable)
    }

    /// A transport-neutral error with no particular kind.
    public init(code: String, message: String, isRetryable: Bool) {
        self.init(.other, code: code, message: message, isRetryable: isRetryable)
    }

    /// `rename` found its destination taken: transports never overwrite.
    public static func exists(_ path: String) -> TransportError {
        TransportError(.alreadyExists, code: "TRANSPORT_FILE_EXISTS", path: path, message: "already exists", isRetryable: false)
    }

    static func invalidPath(_ path: String, _ reason: String) -> TransportError {
        TransportError(.invalidPath, code: "TRANSPORT_INVALID_PATH", path: path, message: reason, isRetryable: false)
    }
}
