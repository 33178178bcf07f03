import Foundation

/// Where deliveries go and acknowledgements and reports come from: a DSP's SFTP drop box, or a local folder (a
/// mounted share, or a dry run).
///
/// Paths are relative to the transport's root and use `/`; `..` is refused. Every implementation has the same
/// semantics, so the delivery engine does not care which one it talks to:
/// - `rename` never overwrites (it fails with `alreadyExists`), and is atomic;
/// - `upload` with `resumeFrom` > 0 keeps the first bytes of the remote file and continues after them;
/// - errors are `TransportError`s with a stable code and `isRetryable`.
///
/// Implementations are actors that run their blocking I/O on a dedicated thread (never on Swift's cooperative
/// pool). One transport is one connection: for parallel uploads to one DSP, make several.
/// Operations connect on demand; after an error that broke the connection the next operation reconnects.
///
/// The usual way to put a file is `place(_:at:)` (temporary name, size check, rename into place, resume).
public protocol DeliveryTransport: AnyObject, Sendable {
    /// What to call this transport in logs, e.g. `sftp://ddex@dsp.example:22/inbox`. Never holds secrets.
    nonisolated var displayName: String { get }

    /// Connects now (operations also connect on demand), to fail early on host-key or authentication problems.
    func connect() async throws(TransportError)

    /// Ends the connection; the next operation reconnects.
    func close() async

    /// Creates a folder and its missing parents; an existing folder is fine.
    func ensureDirectory(_ path: String) async throws(TransportError)

    /// The file or folder at `path`, or `nil` if there is none.
    func stat(_ path: String) async throws(TransportError) -> RemoteFileInfo?

    /// The entries of a folder, without `.` and `..`.
    func list(_ directory: String) async throws(TransportError) -> [RemoteEntry]

    /// Copies a local file to `path`, starting at byte `resumeFrom` of both (0 creates or truncates).
    /// `progress` gets the bytes the remote file holds so far. Returns the local file's size.
    @discardableResult
    func upload(_ localFile: URL, to path: String, resumeFrom offset: UInt64,
                progress: (@Sendable (UInt64) -> Void)?) async throws(TransportError) -> UInt64

    /// Copies `path` to a local file, starting at byte `resumeFrom` of both (0 creates or truncates).
    /// Returns the local file's final size.
    @discardableResult
    func download(_ path: String, to localFile: URL, resumeFrom offset: UInt64) async throws(TransportError) -> UInt64

    /// Renames atomically; fails with `alreadyExists` if `destination` exists (never overwrites).
    func rename(_ source: String, to destination: String) async throws(TransportError)

    /// Removes a file.
    func remove(_ path: String) async throws(TransportError)

    /// Removes an empty folder.
    func removeDirectory(_ path: String) async throws(TransportError)
}

extension DeliveryTransport {
    @discardableResult
    public func upload(_ localFile: URL, to path: String) async throws(TransportError) -> UInt64 {
        try await upload(localFile, to: path, resumeFrom: 0, progress: nil)
    }

    @discardableResult
    public func download(_ path: String, to localFile: URL) async throws(TransportError) -> UInt64 {
        try await download(path, to: localFile, resumeFrom: 0)
    }
}

/// A file or folder on the other side.
public struct RemoteFileInfo: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case file
        case directory
        case other
    }

    public var kind: Kind
    public var size: UInt64
    public var modificationTime: Date?

    public init(kind: Kind, size: UInt64, modificationTime: Date?) {
        self.kind = kind
        self.size = size
        self.modificationTime = modificationTime
    }
}

/// One entry of a listed folder.
public struct RemoteEntry: Sendable, Hashable {
    public var name: String
    public var info: RemoteFileInfo

    public init(name: String, info: RemoteFileInfo) {
        self.name = name
        self.info = info
    }
}
