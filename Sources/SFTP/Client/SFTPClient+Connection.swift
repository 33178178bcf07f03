import CLibSSH2
import Glibc
import Foundation

extension SFTPClient {
    /// The socket, the libssh2 session and the SFTP channel of one open client.
    final class Connection {
        let socket: Int32
        let session: OpaquePointer
        let sftp: SFTPChannel

        init(socket: Int32, session: OpaquePointer, sftp: SFTPChannel) {
            self.socket = socket
            self.session = session
            self.sftp = sftp
        }

        /// Frees everything. A graceful release closes the channel and says goodbye to the server (within a few
        /// seconds); otherwise the socket is shut first so libssh2's closing calls fail at once instead of waiting
        /// for a dead peer.
        func release(graceful: Bool) {
            if !graceful { shutdown(socket, Int32(SHUT_RDWR)) }
            libssh2_session_set_blocking(session, 1)
            libssh2_session_set_timeout(session, graceful ? 2000 : 1)
            libssh2_channel_free(sftp.channel)
            if graceful { _ = ddexd_libssh2_session_disconnect(session, "ddexd closing") }
            libssh2_session_free(session)
            Glibc.close(socket)
        }

        /// Runs a libssh2 call that must not be left half done in blocking mode (under the session's timeout).
        func blocking<T>(_ body: () -> T) -> T {
            libssh2_session_set_blocking(session, 1)
            defer { libssh2_session_set_blocking(session, 0) }
            return body()
        }

        func error(_ rc: Int? = nil, operation: String, path: String?) -> SFTPError {
            SFTPClient.error(session: session, rc: rc, operation: operation, path: path)
        }
    }

    /// Builds the error for a failed libssh2 call that returned `rc` (or, when `rc` is nil, for a call that returned
    /// a null handle: libssh2's last error then tells what happened).
    static func error(session: OpaquePointer, rc: Int?, operation: String, path: String?) -> SFTPError {
        let code = rc.map { Int32(truncatingIfNeeded: $0) } ?? libssh2_session_last_errno(session)
        return SFTPError(kind(ofSessionError: code), operation: operation, path: path,
                         message: "\(lastErrorMessage(session)) (libssh2 error \(code))", libssh2Error: code)
    }

    /// libssh2's last error message, copied out of the session.
    static func lastErrorMessage(_ session: OpaquePointer) -> String {
        var message: UnsafePointer<CChar>?
        _ = ddexd_libssh2_last_error(session, &message)
        return message.map { String(cString: $0) } ?? "unknown libssh2 error"
    }

    /// The message for a status the server sent: its own words (libssh2 1.10's SFTP layer dropped them), the code,
    /// and for a generic failure during a write, why that is worth retrying.
    static func explain(_ status: SFTPStatus, serverText: String, duringWrite: Bool) -> String {
        let words = serverText.trimmingCharacters(in: .whitespacesAndNewlines)
        var text = "the server said: " + (words.isEmpty || words == status.text
            ? "\(status)" : "\(words) (\(status.name), \(status.rawValue))")
        if duringWrite && status.rawValue == 4 {
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
        case LIBSSH2_ERROR_PROTO, LIBSSH2_ERROR_CHANNEL_OUTOFORDER, LIBSSH2_ERROR_CHANNEL_UNKNOWN:
            return .protocolError
        default:
            // Socket errors, disconnects, closed channels, MAC or decryption failures: the session cannot be
            // trusted any more.
            return .connectionLost
        }
    }
}
