import DDEXConfig
import Foundation
import SFTP

/// A DSP's SFTP drop box, through ddexd's libssh2 client.
///
/// One transport holds one SSH session at a time and is used by one worker thread at a time (libssh2
/// sessions must never be shared between threads). The host key is checked against the known_hosts file
/// before authenticating, every time it connects. After an error that broke the session, the next
/// operation connects afresh.
///
/// `@unchecked Sendable`: it may be handed from one thread to another (a worker picks it up), but it is
/// used by one thread at a time; the delivery pass gives each worker its own transport.
public final class SFTPTransport: DeliveryTransport, @unchecked Sendable {
    public let configuration: SFTPClientConfiguration
    /// The folder on the server that transport paths are relative to (`""` = the login folder).
    public let remoteRoot: String
    /// `sftp://user@host:port/root`, for logs; never holds secrets.
    public let displayName: String
    /// Called with the remote file's size as an upload progresses (progress display; fault injection in tests).
    public var uploadProgress: (@Sendable (UInt64) -> Void)?

    /// The session, while there is a healthy one.
    private var client: SFTPClient?

    /// A transport that connects on first use (or `connect()`); paths are relative to `remoteRoot` on the server.
    public init(configuration: SFTPClientConfiguration, remoteRoot: String = "") {
        self.configuration = configuration
        self.remoteRoot = remoteRoot
        displayName = "sftp://\(configuration.user)@\(configuration.host):\(configuration.port)/" + remoteRoot.drop(while: { $0 == "/" })
    }

    /// A transport from a DSP profile's `[transport]` settings (`kind = "sftp"`).
    public convenience init(settings: TransportSettings, passphrase: Secret? = nil) throws(TransportError) {
        func required(_ value: String?, _ name: String) throws(TransportError) -> String {
            guard let value, !value.isEmpty else {
                throw TransportError(.configuration, code: "TRANSPORT_SETTING_MISSING",
                                     message: "an sftp transport needs `\(name)`")
            }
            return value
        }
        let configuration = SFTPClientConfiguration(
            host: try required(settings.host, "host"), port: settings.port, user: try required(settings.user, "user"),
            privateKeyPath: try required(settings.privateKey, "private_key"), passphrase: passphrase,
            knownHostsPath: try required(settings.knownHosts, "known_hosts"),
            connectTimeoutSeconds: Double(settings.connectTimeoutSeconds))
        self.init(configuration: configuration, remoteRoot: settings.remoteRoot)
    }

    deinit { client?.close() }

    public func connect() throws {
        _ = try liveClient()
    }

    public func close() {
        client?.close()
        client = nil
    }

    /// The server's verified host key, once connected.
    public var hostKey: HostKey? { client?.hostKey }

    public func makeDirectories(_ path: String) throws {
        let remote = try TransportPath.join(remoteRoot, path)
        try perform { client throws(SFTPError) in try client.makeDirectories(remote) }
    }

    public func fileSize(_ path: String) throws -> UInt64? {
        let remote = try TransportPath.join(remoteRoot, path)
        guard let info = try perform({ client throws(SFTPError) in try client.statIfExists(remote) }) else { return nil }
        guard info.type == .regular else {
            throw TransportError(.remoteConflict, code: "TRANSPORT_NOT_A_FILE", path: remote, message: "is not a regular file")
        }
        return info.size ?? 0
    }

    public func list(_ directory: String) throws -> [RemoteEntry] {
        let remote = try TransportPath.join(remoteRoot, directory)
        return try perform { client throws(SFTPError) in
            try client.list(remote).compactMap { entry -> RemoteEntry? in
                guard entry.info.type == .regular || entry.info.type == .directory else { return nil }
                return RemoteEntry(name: entry.name, isDirectory: entry.info.type == .directory, size: entry.info.size ?? 0,
                                   modified: entry.info.modificationTime?.timeIntervalSince1970)
            }.sorted { $0.name < $1.name }
        }
    }

    public func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64) throws {
        let remote = try TransportPath.join(remoteRoot, remotePath)
        let progress = uploadProgress
        try perform { client throws(SFTPError) in
            _ = try client.upload(localPath, to: remote, resumeFrom: offset, progress: progress)
        }
    }

    public func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64) throws {
        let remote = try TransportPath.join(remoteRoot, remotePath)
        try perform { client throws(SFTPError) in _ = try client.download(remote, to: localPath, resumeFrom: offset) }
    }

    public func rename(_ source: String, to destination: String) throws {
        let from = try TransportPath.join(remoteRoot, source)
        let to = try TransportPath.join(remoteRoot, destination)
        try perform { client throws(SFTPError) in try client.rename(from, to: to) }
    }

    public func remove(_ path: String) throws {
        let remote = try TransportPath.join(remoteRoot, path)
        try perform { client throws(SFTPError) in try client.remove(remote) }
    }

    public func makeDirectories(_ paths: [String]) throws {
        let remote = try paths.map { path throws(TransportError) in try TransportPath.join(remoteRoot, path) }
        let root = remoteRoot
        try perform { client throws(SFTPError) in try client.makeDirectories(remote, below: root) }
    }

    public func fileSizes(_ paths: [String]) throws -> [UInt64?] {
        let remote = try paths.map { path throws(TransportError) in try TransportPath.join(remoteRoot, path) }
        let infos = try perform { client throws(SFTPError) in try client.stat(remote) }
        return try zip(remote, infos).map { path, info throws(TransportError) in
            guard let info else { return nil }
            guard info.type == .regular else {
                throw TransportError(.remoteConflict, code: "TRANSPORT_NOT_A_FILE", path: path, message: "is not a regular file")
            }
            return info.size ?? 0
        }
    }

    /// Pipelined on this session (`SFTPClient.place`): the round trips of one file hide behind the data of the next.
    public func place(_ files: [FilePlacement], placed: (Int) throws -> Void) throws {
        for file in files { try FilePlacement.checkLocalSize(file) }
        let placements = try files.map { file throws(TransportError) in
            SFTPPlacement(localPath: file.localPath, finalPath: try TransportPath.join(remoteRoot, file.remotePath),
                          temporaryPath: try TransportPath.join(remoteRoot, file.temporaryPath), size: file.size)
        }
        var recordingError: (any Error)?
        let progress = uploadProgress
        try perform { client throws(SFTPError) in
            try client.place(placements, progress: progress) { index, _ in
                do {
                    try placed(index)
                    return true
                } catch {
                    recordingError = error
                    return false
                }
            }
        }
        if let recordingError { throw recordingError }
    }

    /// The server as learnt at connect (connects if needed).
    public func serverProfile() throws -> SFTPServerProfile {
        try liveClient().server
    }
    /// Sends an SSH keepalive if one is due; call it periodically while holding an idle transport.
    public func keepalive() throws {
        guard client != nil else { return }
        try perform { client throws(SFTPError) in try client.sendKeepaliveIfDue() }
    }

    // MARK: session

    func liveClient() throws(TransportError) -> SFTPClient {
        if let client, client.isConnected { return client }
        client = nil
        do {
            let fresh = try SFTPClient(configuration: configuration)
            client = fresh
            return fresh
        } catch {
            throw TransportError(error)
        }
    }

    private func perform<T>(_ body: (SFTPClient) throws(SFTPError) -> T) throws(TransportError) -> T {
        let client = try liveClient()
        do {
            return try body(client)
        } catch {
            // A broken session is dropped here; the next operation connects afresh.
            if !client.isConnected { self.client = nil }
            throw TransportError(error)
        }
    }
}
