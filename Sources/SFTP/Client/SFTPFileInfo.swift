import CLibSSH2
import Foundation

/// What `stat` and `list` tell about a remote file.
public struct SFTPFileInfo: Sendable, Hashable {
    public enum FileType: String, Sendable, Hashable {
        case regular
        case directory
        case symbolicLink
        case other
        /// The server sent no permissions, so the type is unknown.
        case unknown
    }

    public var type: FileType
    /// Size in bytes, if the server sent it.
    public var size: UInt64?
    /// Last modification time, if the server sent it (whole seconds).
    public var modificationTime: Date?
    /// POSIX permission bits (without the type bits), if the server sent them.
    public var permissions: UInt32?

    public init(type: FileType, size: UInt64?, modificationTime: Date?, permissions: UInt32?) {
        self.type = type
        self.size = size
        self.modificationTime = modificationTime
        self.permissions = permissions
    }

    init(_ attributes: LIBSSH2_SFTP_ATTRIBUTES) {
        let flags = UInt(attributes.flags)
        size = flags & UInt(LIBSSH2_SFTP_ATTR_SIZE) != 0 ? attributes.filesize : nil
        modificationTime = flags & UInt(LIBSSH2_SFTP_ATTR_ACMODTIME) != 0
            ? Date(timeIntervalSince1970: TimeInterval(attributes.mtime)) : nil
        if flags & UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS) != 0 {
            let mode = UInt32(truncatingIfNeeded: attributes.permissions)
            permissions = mode & 0o7777
            switch Int32(mode) & LIBSSH2_SFTP_S_IFMT {
            case LIBSSH2_SFTP_S_IFREG: type = .regular
            case LIBSSH2_SFTP_S_IFDIR: type = .directory
            case LIBSSH2_SFTP_S_IFLNK: type = .symbolicLink
            default: type = .other
            }
        } else {
            permissions = nil
            type = .unknown
        }
    }
}

/// One name in a remote directory.
public struct SFTPDirectoryEntry: Sendable, Hashable {
    public var name: String
    public var info: SFTPFileInfo

    public init(name: String, info: SFTPFileInfo) {
        self.name = name
        self.info = info
    }
}
