import DDEXConfig
import Foundation
import SFTP

/// A DSP's SFTP drop box, through ddexd's libssh2 client.
///
/// One transport holds one SSH session at a time, confined to the transport's own thread (libssh2 sessions must not
/// be shared between threads). The host key is checked against the known_hosts file before authenticating, every
/// time it connects.
public actor SFTPTransport: DeliveryTransport {
    public nonisolated let configuration: SFTPClientConfiguration
    /// The folder on the server that transport paths are relative to (`""` = the login folder).
    public nonisolated let remoteRoot: String
    public nonisolated let displayName: String

    private nonisolated let executor: IOThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// The session, while there is a healthy one.
    private var client: SFTPClient?

    public init(configuration: SFTPClientConfiguration, remoteRoot: String = "") {
        self.configuration = configuration
        self.remoteRoot = remoteRoot
        self.displayName = "sftp://\(configuration.user)@\(configuration.host):\(configuration.port)/"
            + remoteRoot.drop(while: { $0 == "/" })
        self.executor = IOThreadExecutor(name: "ddexd-sftp \(configuration.host):\(configuration.port)")
    }

    /// A transport from a DSP profile's `[transport]` settings (`kind = "sftp"`).
    public init(settings: TransportSettings, passphrase: Secret? = nil) throws(TransportError) {
        func required(_ value: String?, _ name: String) throws(TransportError) -> String {
            guard let value, !value.isEmpty else {
                throw TransportError(.configuration, code: "TRANSPORT_SETTING_MISSING",
                                     message: "an sftp transport needs `\(name)`", isRetryable: false)
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

    deinit {
        executor.shutdown()
    }

    public func connect() throws(TransportError) {
        _ = try liveClient()
    }

    public func close() {
        client?.close()
        client = nil
    }

    /// The server's verified host key, once connected.
    public func hostKey() -> HostKey? { client?.hostKey }

    public func ensureDirectory(_ path: String) throws(TransportError) {
        let remote = try TransportPath.join(remoteRoot, path)
        try perform { client throws(SFTPError) in try client.makeDirectories(remote) }
    }

    public func stat(_ path: String) throws(TransportError) -> RemoteFileInfo? {
        let remote = try TransportPath.join(remoteRoot, path)
        return try perform { client throws(SFTPError) in try client.statIfExists(remote).map(RemoteFileInfo.init) }
    }

    public func list(_ directory: String) throws(TransportError) -> [RemoteEntry] {
        let remote = try TransportPath.join(remoteRoot, directory)
        return try perform { client throws(SFTPError) in
            try client.list(remote).map { RemoteEntry(name: $0.name, info: RemoteFileInfo($0.info)) }
        }
    }

    @discardableResult
    public func upload(_ localFile: URL, to path: String, resumeFrom offset: UInt64,
                       progress: (@Sendable (UInt64) -> Void)?) throws(TransportError) -> UInt64
    {
        let remote = try TransportPath.join(remoteRoot, path)
        return try perform { client throws(SFTPError) in
            try client.upload(localFile.path, to: remote, resumeFrom: offset, progress: progress)
        }
    }

    @discardableResult
    public func download(_ path: String, to localFile: URL, resumeFrom offset: UInt64) throws(TransportError) -> UInt64 {
        let remote = try TransportPath.join(remoteRoot, path)
        return try perform { client throws(SFTPError) in
            try client.download(remote, to: localFile.path, resumeFrom: offset)
        }
    }

    public func rename(_ source: String, to destination: String) throws(TransportError) {
        let from = try TransportPath.join(remoteRoot, source)
        let to = try TransportPath.join(remoteRoot, destination)
        try perform { client throws(SFTPError) in try client.rename(from, to: to) }
    }

    public func remove(_ path: String) throws(TransportError) {
        let remote = try TransportPath.join(remoteRoot, path)
        try perform { client throws(SFTPError) in try client.remove(remote) }
    }

    public func removeDirectory(_ path: String) throws(TransportError) {
        let remote = try TransportPath.join(remoteRoot, path)
        try perform { client throws(SFTPError) in try client.removeDirectory(remote) }
    }

    /// Sends an SSH keepalive if one is due; call it periodically while holding an idle transport.
    public func keepalive() throws(TransportError) {
        guard client != nil else { return }
        try perform { client throws(SFTPError) in try client.sendKeepaliveIfDue() }
    }

    // MARK: - Session

    private func liveClient() throws(TransportError) -> SFTPClient {
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

extension RemoteFileInfo {
    init(_ info: SFTPFileInfo) {
        let kind: Kind
        switch info.type {
        case .regular: kind = .file
        case .directory: kind = .directory
        case .symbolicLink, .other, .unknown: kind = .other
        }
        self.init(kind: kind, size: info.size ?? 0, modificationTime: info.modificationTime)
    }
}
