/// What an SFTP server turned out to be when ddexd connected: the SSH algorithms negotiated, the SFTP version and
/// extensions it announced, its limits and its channel window, and therefore how ddexd works with it. Shown by
/// `ddexd check-config --probe`.
public struct SFTPServerProfile: Sendable, Equatable, Codable {
    /// The server's SSH identification string (`SSH-2.0-OpenSSH_9.2p1 Debian-2`).
    public var banner: String
    /// The server's host key, as verified (`ssh-ed25519 SHA256:…`).
    public var hostKey: String
    /// Negotiated algorithms: key exchange, host key, and per direction cipher, MAC and compression.
    public var algorithms: Algorithms
    /// The SFTP version in use (ddexd asks for 3).
    public var sftpVersion: UInt32
    /// Extensions the server announced, with their data (usually a version number), in its order.
    public var extensions: [Extension]
    /// `limits@openssh.com`, when the server answers it.
    public var limits: Limits?
    /// The window the server granted the SFTP channel: bytes ddexd may have in flight before it answers.
    public var window: UInt64
    /// Bytes of file data ddexd puts in each write request (the server's `max-write-length`, at most 255 KiB;
    /// 32 KiB, which every server must take, when it does not say).
    public var writeRequestSize: Int
    /// Bytes asked for in each read request.
    public var readRequestSize: Int
    /// How files are put under their final names on this server, and how strong the never-overwrite guarantee is.
    public var placement: Placement

    /// The algorithms the SSH session agreed on, as `--probe` reports them.
    public struct Algorithms: Sendable, Equatable, Codable {
        public var keyExchange: String
        public var hostKey: String
        public var cipherClientToServer: String
        public var cipherServerToClient: String
        public var macClientToServer: String
        public var macServerToClient: String
        public var compressionClientToServer: String
        public var compressionServerToClient: String
    }

    /// An SFTP extension the server announced in its version reply, with its data (usually a version number).
    public struct Extension: Sendable, Equatable, Codable {
        public var name: String
        public var data: String
    }

    /// What the server's `limits@openssh.com` reply says.
    public struct Limits: Sendable, Equatable, Codable {
        public var maximumPacket: UInt64
        public var maximumRead: UInt64
        public var maximumWrite: UInt64
        public var maximumOpenHandles: UInt64
    }

    /// The operation that puts an uploaded temporary file under its final name.
    public enum Placement: String, Sendable, Equatable, Codable {
        /// `hardlink@openssh.com` then removing the temporary name: the link fails if the target exists, atomically.
        case hardlink = "hardlink"
        /// SFTP v3 rename on a server known to refuse an existing target (OpenSSH links, then unlinks).
        case rename = "rename"
        /// Neither is known to refuse an existing target: ddexd checks the target just before renaming. A file that
        /// appears between the check and the rename may be replaced on a server whose rename replaces.
        case checkedRename = "checked-rename"

        /// A sentence for `--probe`.
        public var guarantee: String {
            switch self {
            case .hardlink:
                "hardlink@openssh.com, then the temporary name is removed: the link fails if the target exists, so "
                    + "a file in place is never replaced"
            case .rename:
                "SFTP v3 rename, which this server (OpenSSH) refuses onto an existing target: a file in place is "
                    + "never replaced"
            case .checkedRename:
                "rename after checking that the target does not exist: WEAKER — the server offers no operation that "
                    + "fails on an existing target, so a file appearing between the check and the rename could be "
                    + "replaced if the server's rename replaces"
            }
        }
    }

    /// Whether the server announced `name` (e.g. `posix-rename@openssh.com`).
    public func offers(_ name: String) -> Bool { extensions.contains { $0.name == name } }
}
