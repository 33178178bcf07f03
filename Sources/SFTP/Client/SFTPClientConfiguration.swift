/// Where and how an `SFTPClient` connects.
public struct SFTPClientConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    /// The private key file (ed25519 or ECDSA; RSA keys fail with libssh2 1.10 against OpenSSH ≥ 8.8).
    public var privateKeyPath: String
    /// The public key file; `nil` uses `<privateKeyPath>.pub` if it exists, else derives it from the private key.
    public var publicKeyPath: String?
    /// The private key's passphrase, if it is encrypted.
    public var passphrase: Secret?
    /// The known_hosts file holding the server's pinned key.
    public var knownHostsPath: String
    /// Limit for the TCP connect and for the SSH handshake and authentication.
    public var connectTimeoutSeconds: Double
    /// Limit for each network wait during an operation (libssh2 session timeout).
    public var ioTimeoutSeconds: Double
    /// Seconds between SSH keepalive messages while the session is used (0 disables them).
    public var keepaliveIntervalSeconds: Int
    /// Bytes handed to each `libssh2_sftp_write` call: libssh2 keeps all of them in flight, so this bounds
    /// throughput to about `writeChunkSize / RTT`. A multiple of libssh2's 30,000-byte packet; at least 1 MiB.
    public var writeChunkSize: Int
    /// Bytes asked for in each `libssh2_sftp_read` call (libssh2 reads ahead up to 4 × this, capped at 8 MiB).
    public var readChunkSize: Int

    /// A configuration with ddexd's defaults: 15 s to connect and log in, 60 s per network wait, a keepalive every
    /// 30 s, and the chunk sizes described on their properties.
    public init(host: String, port: Int = 22, user: String, privateKeyPath: String, publicKeyPath: String? = nil,
                passphrase: Secret? = nil, knownHostsPath: String, connectTimeoutSeconds: Double = 15,
                ioTimeoutSeconds: Double = 60, keepaliveIntervalSeconds: Int = 30,
                writeChunkSize: Int = SFTPClientConfiguration.defaultWriteChunkSize,
                readChunkSize: Int = 2 * 1024 * 1024)
    {
        self.host = host
        self.port = port
        self.user = user
        self.privateKeyPath = privateKeyPath
        self.publicKeyPath = publicKeyPath
        self.passphrase = passphrase
        self.knownHostsPath = knownHostsPath
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.ioTimeoutSeconds = ioTimeoutSeconds
        self.keepaliveIntervalSeconds = keepaliveIntervalSeconds
        self.writeChunkSize = writeChunkSize
        self.readChunkSize = readChunkSize
    }

    /// 64 packets of 30,000 bytes in flight, like OpenSSH `sftp`'s 64 outstanding requests (TRANSFER.md §2.1).
    public static let defaultWriteChunkSize = 30_000 * 64

    /// Smallest write chunk accepted: 1 MiB rounded up to whole 30,000-byte packets.
    static let minimumWriteChunkSize = 30_000 * 35

    public var description: String {
        "sftp://\(user)@\(host):\(port) key=\(privateKeyPath) known_hosts=\(knownHostsPath)"
    }
}
