/// An SFTP status code (`SSH_FX_*`) as the server sent it.
///
/// libssh2 1.10 keeps the code but drops the text of the server's status message, so the text shown is the one
/// OpenSSH's `sftp-server` sends for that code (`status_to_message`), which is what an OpenSSH server said.
public struct SFTPStatus: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt

    public init(_ rawValue: UInt) { self.rawValue = rawValue }

    /// The protocol name, e.g. `SSH_FX_PERMISSION_DENIED`.
    public var name: String {
        Self.table[rawValue]?.name ?? "SSH_FX_\(rawValue)"
    }

    /// The server's words for this code (OpenSSH's texts for v3 codes, the draft's for later ones).
    public var text: String {
        Self.table[rawValue]?.text ?? "Unknown error"
    }

    public var description: String { "\(text) (\(name), \(rawValue))" }

    private static let table: [UInt: (name: String, text: String)] = [
        0: ("SSH_FX_OK", "Success"),
        1: ("SSH_FX_EOF", "End of file"),
        2: ("SSH_FX_NO_SUCH_FILE", "No such file"),
        3: ("SSH_FX_PERMISSION_DENIED", "Permission denied"),
        4: ("SSH_FX_FAILURE", "Failure"),
        5: ("SSH_FX_BAD_MESSAGE", "Bad message"),
        6: ("SSH_FX_NO_CONNECTION", "No connection"),
        7: ("SSH_FX_CONNECTION_LOST", "Connection lost"),
        8: ("SSH_FX_OP_UNSUPPORTED", "Operation unsupported"),
        9: ("SSH_FX_INVALID_HANDLE", "Invalid handle"),
        10: ("SSH_FX_NO_SUCH_PATH", "No such path"),
        11: ("SSH_FX_FILE_ALREADY_EXISTS", "File already exists"),
        12: ("SSH_FX_WRITE_PROTECT", "Write protected"),
        13: ("SSH_FX_NO_MEDIA", "No media"),
        14: ("SSH_FX_NO_SPACE_ON_FILESYSTEM", "No space on filesystem"),
        15: ("SSH_FX_QUOTA_EXCEEDED", "Quota exceeded"),
        16: ("SSH_FX_UNKNOWN_PRINCIPAL", "Unknown principal"),
        17: ("SSH_FX_LOCK_CONFLICT", "Lock conflict"),
        18: ("SSH_FX_DIR_NOT_EMPTY", "Directory not empty"),
        19: ("SSH_FX_NOT_A_DIRECTORY", "Not a directory"),
        20: ("SSH_FX_INVALID_FILENAME", "Invalid filename"),
        21: ("SSH_FX_LINK_LOOP", "Link loop"),
    ]

    /// The error kind for this status during `operation`. A generic failure during a write is `writeFailed`: that is
    /// how OpenSSH reports a full disk or an exceeded quota (its `errno_to_portable` maps ENOSPC and EDQUOT to
    /// `SSH_FX_FAILURE`, and a short write is also `SSH_FX_FAILURE`).
    func kind(duringWrite: Bool) -> SFTPError.Kind {
        switch rawValue {
        case 2, 10: return .noSuchFile
        case 3, 12: return .permissionDenied
        case 4: return duringWrite ? .writeFailed : .failure
        case 6, 7: return .connectionLost
        case 8: return .unsupported
        case 11: return .fileExists
        case 14, 15: return .diskFull
        case 19: return .notADirectory
        default: return .failure
        }
    }
}
