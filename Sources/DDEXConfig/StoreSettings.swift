/// The `[store]` table: which engine holds ddexd's state.
///
/// SQLite (`Spool/state/ddexd.sqlite`) is the default and needs no settings. PostgreSQL lets several ddexd instances
/// share one database; it needs `PostgreSQLSettings`.
public struct StoreSettings: Sendable, Hashable {
    /// The store engine (`[store] kind`).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// One SQLite file in the spool's `state/` folder.
        case sqlite
        /// A PostgreSQL database, shared by every instance configured with it.
        case postgresql
    }

    public var kind: Kind
    /// Present exactly when `kind == .postgresql`.
    public var postgresql: PostgreSQLSettings?

    public init(kind: Kind = Defaults.kind, postgresql: PostgreSQLSettings? = nil) {
        self.kind = kind
        self.postgresql = postgresql
    }
}

/// Where and how to reach the PostgreSQL database of `[store] kind = "postgresql"`.
///
/// The password is never held here: only the path of the file that holds it, read when connecting. So neither a
/// `Configuration` nor anything printed from it (`description`, `url`, logs) can show the secret.
public struct PostgreSQLSettings: Sendable, Hashable, CustomStringConvertible {
    /// `[store] tls`: whether the connection is encrypted and whether the server's certificate is checked.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// A plain connection (a server on loopback or a private network only).
        case disable
        /// An encrypted connection; the server's certificate is not checked.
        case require
        /// An encrypted connection to a server whose certificate is trusted and names the host.
        case verifyFull = "verify-full"
    }

    /// A host name, an IPv4 address or an IPv6 address (without the brackets the URL writes around it).
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// The file holding the password (absolute), or nil to connect without one.
    public var passwordFile: String?
    /// Connections one instance keeps open at most.
    public var poolSize: Int
    public var tls: TLSMode

    public init(host: String, port: Int = Defaults.port, user: String, database: String, passwordFile: String? = nil,
                poolSize: Int = Defaults.poolSize, tls: TLSMode = Defaults.tls)
    {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.passwordFile = passwordFile
        self.poolSize = poolSize
        self.tls = tls
    }

    /// The settings for an address read from a `url`, with the other keys given apart.
    public init(address: Address, passwordFile: String? = nil, poolSize: Int = Defaults.poolSize, tls: TLSMode = Defaults.tls) {
        self.init(host: address.host, port: address.port, user: address.user, database: address.database,
                  passwordFile: passwordFile, poolSize: poolSize, tls: tls)
    }

    /// Host, port, user and database: what the `url` says.
    public var address: Address { Address(host: host, port: port, user: user, database: database) }

    /// `postgresql://user@host:port/database`, percent-encoded where needed; never a password.
    public var url: String { address.url }

    /// The URL and the other settings, for logs and reports: the password file's path, never its contents.
    public var description: String {
        "\(url) (tls \(tls.rawValue), pool \(poolSize), " + (passwordFile.map { "password from \($0)" } ?? "no password file") + ")"
    }
}
