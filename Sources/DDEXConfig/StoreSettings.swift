// TEMPORARY STUB (not committed): replaced by the store-config branch.
public struct StoreSettings: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable { case sqlite, postgresql }
    public var kind: Kind
    public var postgresql: PostgreSQLSettings?
    public init(kind: Kind = .sqlite, postgresql: PostgreSQLSettings? = nil) { self.kind = kind; self.postgresql = postgresql }
}
public struct PostgreSQLSettings: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable, CaseIterable { case disable, require, verifyFull = "verify-full" }
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var passwordFile: String?
    public var poolSize: Int
    public var tls: TLSMode
    public init(host: String, port: Int = 5432, user: String, database: String, passwordFile: String? = nil, poolSize: Int = 8, tls: TLSMode = .require) {
        self.host = host; self.port = port; self.user = user; self.database = database; self.passwordFile = passwordFile; self.poolSize = poolSize; self.tls = tls
    }
    public var url: String { "postgresql://\(user)@\(host):\(port)/\(database)" }
    public var description: String { url }
}
