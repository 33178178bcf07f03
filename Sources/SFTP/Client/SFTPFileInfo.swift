import Foundation

/// What `stat` and `list` tell about a remote file.
public struct SFTPFileInfo: Sendable, Hashable {
    /// The file's type, from the permission bits the server sent.
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

    /// From the attributes a server sent: `mode` holds the POSIX type and permission bits.
    init(mode: UInt32?, size: UInt64?, modified: UInt32?) {
        self.size = size
        modificationTime = modified.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        if let mode {
            permissions = mode & 0o7777
            switch mode & 0o170000 {
            case 0o100000: type = .regular
            case 0o040000: type = .directory
            case 0o120000: type = .symbolicLink
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
