/// SFTP version 3 wire constants (draft-ietf-secsh-filexfer-02), the version every server speaks and the one ddexd
/// asks for: later versions add nothing a drop box needs, and servers that speak them (ProFTPD, gesftpserver) fall
/// back to 3 when the client asks for 3.
enum SFTPMessage {
    static let protocolVersion: UInt32 = 3

    // Requests.
    static let initialise: UInt8 = 1
    static let open: UInt8 = 3
    static let close: UInt8 = 4
    static let read: UInt8 = 5
    static let write: UInt8 = 6
    static let lstat: UInt8 = 7
    static let fstat: UInt8 = 8
    static let opendir: UInt8 = 11
    static let readdir: UInt8 = 12
    static let remove: UInt8 = 13
    static let mkdir: UInt8 = 14
    static let rmdir: UInt8 = 15
    static let realpath: UInt8 = 16
    static let stat: UInt8 = 17
    static let rename: UInt8 = 18
    static let extended: UInt8 = 200

    // Replies.
    static let version: UInt8 = 2
    static let status: UInt8 = 101
    static let handle: UInt8 = 102
    static let data: UInt8 = 103
    static let name: UInt8 = 104
    static let attributes: UInt8 = 105
    static let extendedReply: UInt8 = 201

    /// `SSH_FXF_*` open flags.
    struct OpenFlags: OptionSet, Sendable {
        let rawValue: UInt32
        static let read = OpenFlags(rawValue: 0x01)
        static let write = OpenFlags(rawValue: 0x02)
        static let append = OpenFlags(rawValue: 0x04)
        static let create = OpenFlags(rawValue: 0x08)
        static let truncate = OpenFlags(rawValue: 0x10)
        static let exclusive = OpenFlags(rawValue: 0x20)
    }

    /// `SSH_FILEXFER_ATTR_*` attribute flags.
    static let attributeSize: UInt32 = 0x01
    static let attributeOwner: UInt32 = 0x02
    static let attributePermissions: UInt32 = 0x04
    static let attributeTimes: UInt32 = 0x08
    static let attributeExtended: UInt32 = 0x8000_0000

    // `SSH_FX_*` status codes ddexd acts on.
    static let ok: UInt32 = 0
    static let endOfFile: UInt32 = 1
}
