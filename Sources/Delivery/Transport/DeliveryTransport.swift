import DDEXModel

/// The file operations delivery and polling need from a DSP's server, whatever carries them.
///
/// Paths are relative to the transport's root (the profile's `remote_root`), `/`-separated.
/// An instance is one connection used by one worker at a time (libssh2 handles must never be shared
/// between threads); open several for parallel sessions.
public protocol DeliveryTransport: AnyObject {
    /// Connects (and, for SFTP, verifies the pinned host key and authenticates). Idempotent.
    func connect() throws
    /// Closes the connection; a later `connect()` opens a new one.
    func close()
    /// Creates `path` and its parents; existing folders are fine.
    func makeDirectories(_ path: String) throws
    /// The size of the regular file at `path`, or nil when nothing is there.
    func fileSize(_ path: String) throws -> UInt64?
    /// The entries of a folder (not `.`/`..`); an error when the folder does not exist.
    func list(_ directory: String) throws -> [RemoteEntry]
    /// Writes the local file to `remotePath`, starting at byte `offset` of both (resume); creates or extends the file.
    func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64) throws
    /// Reads `remotePath` into the local file, starting at byte `offset` of both (resume).
    func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64) throws
    /// Renames; fails with `TRANSPORT_FILE_EXISTS` when `destination` exists: never overwrites.
    func rename(_ source: String, to destination: String) throws
    /// Removes a file.
    func remove(_ path: String) throws

    /// Creates several folders and their parents (one round trip where the transport can).
    func makeDirectories(_ paths: [String]) throws
    /// The sizes of many regular files (nil where nothing is), asked for together where the transport can.
    func fileSizes(_ paths: [String]) throws -> [UInt64?]
    /// Puts local files under their final names: each through its temporary name (`FilePlacement.temporaryPath`,
    /// resumed from whatever part is there), checked for size, then placed without ever replacing another file.
    /// A final name already holding the same file is success; another file there is `remoteConflict`. `placed` is
    /// called as each file lands (index into `files`), so the caller can record it before the next one counts.
    func place(_ files: [FilePlacement], placed: (Int) throws -> Void) throws
}

/// A folder entry on the server.
public struct RemoteEntry: Sendable, Hashable {
    public var name: String
    public var isDirectory: Bool
    public var size: UInt64
    /// Seconds since 1970, when the server tells.
    public var modified: Double?

    public init(name: String, isDirectory: Bool, size: UInt64, modified: Double? = nil) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
        self.modified = modified
    }
}

extension DeliveryTransport {
    /// Joins transport-relative path parts.
    public static func join(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: "/")
    }
}
