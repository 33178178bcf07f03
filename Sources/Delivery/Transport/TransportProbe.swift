import SFTP

/// What `ddexd check-config --probe DSP` found on the DSP's server: it connected, checked the pinned host key,
/// logged in and listed the drop box; it wrote nothing.
public struct TransportProbe: Sendable, Codable {
    /// `sftp://user@host:port/root`.
    public var target: String
    /// The known_hosts file and line that pinned the host key.
    public var knownHosts: String
    public var server: SFTPServerProfile
    /// The drop box (`remote_root`) and the names in it (folders end with `/`).
    public var dropBox: String
    public var entries: [String]
    /// Free and total bytes where the server tells (`statvfs@openssh.com`).
    public var availableBytes: UInt64?
    public var totalBytes: UInt64?
    /// How a partial upload is resumed on this server.
    public var resume: String

    /// The resume strategy, the same on every server: each step is tried only where the one before is refused.
    public static let resumeStrategy = "the partial file is reopened at its size; where the server refuses that, "
        + "appended to; where it refuses that too (ProFTPD's AllowOverwrite off), removed and sent again"
}

extension SFTPTransport {
    /// Connects, verifies the host key, authenticates, lists the drop box and reports the server. Writes nothing.
    public func probe() throws -> TransportProbe {
        let client = try liveClient()
        let root = remoteRoot.isEmpty ? "." : remoteRoot
        do {
            let entries = try client.list(root).map { $0.info.type == .directory ? $0.name + "/" : $0.name }.sorted()
            let space = try client.space(root)
            return TransportProbe(target: displayName, knownHosts: "\(configuration.knownHostsPath) line \(client.knownHostsLine)",
                                  server: client.server, dropBox: root, entries: entries,
                                  availableBytes: space?.available, totalBytes: space?.total,
                                  resume: TransportProbe.resumeStrategy)
        } catch {
            throw TransportError(error)
        }
    }
}
