import NIOSSL
import PostgresNIO
import Store

extension StoreError {
    /// The error for a failed PostgreSQL call, its kind chosen from what failed: the server's SQLSTATE (a constraint
    /// is `STORE_CONSTRAINT`, a serialization failure or deadlock `STORE_BUSY`, a refused password `STORE_AUTH`, a
    /// server shutting down `STORE_UNREACHABLE`), or the connection (refused, lost, postgres-nio's
    /// `connectionClosed`: `STORE_UNREACHABLE`; TLS: `STORE_TLS`). Anything else is `kind`. `at` names the server in messages about the connection.
    init(postgres error: any Error, during kind: Kind, sql: String? = nil, at server: String? = nil) {
        if let error = error as? StoreError {
            self = error
            return
        }
        let prefix = server.map { "\($0): " } ?? ""
        if case .connectionClosed = error as? PostgresError {
            // What postgres-nio's COPY writer throws once the connection's handlers are gone.
            self.init(.unreachable, message: prefix + "the database server closed the connection", sql: sql)
            return
        }
        guard let error = error as? PSQLError else {
            let resolved: Kind = error is NIOSSLError ? .tls : kind
            self.init(resolved, message: prefix + String(describing: error), sql: sql)
            return
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            var message = error.serverInfo?[.message] ?? "the server reported an error"
            if let detail = error.serverInfo?[.detail] { message += " (\(detail))" }
            self.init(Self.kind(sqlState: state, otherwise: kind), message: prefix + message, sql: sql,
                      sqlState: state.isEmpty ? nil : state)
        case .sslUnsupported, .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            self.init(.tls, message: prefix + "TLS was required, but the server does not offer it or it failed (\(error.code))")
        case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
            self.init(.authentication, message: prefix + "authentication failed (\(error.code)); check the user and password_file")
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            let cause = error.underlying.map { String(describing: $0) } ?? "\(error.code)"
            let resolved: Kind = error.underlying is NIOSSLError ? .tls : .unreachable
            self.init(resolved, message: prefix + "the database server cannot be reached or closed the connection: \(cause)", sql: sql)
        default:
            let cause = error.underlying.map { ": \($0)" } ?? ""
            self.init(kind, message: prefix + "\(error.code)\(cause)", sql: sql)
        }
    }

    /// The kind a SQLSTATE belongs to (PostgreSQL's appendix A, by class).
    static func kind(sqlState state: String, otherwise kind: Kind) -> Kind {
        switch state {
        case "40001", "40P01", "55P03": return .busy
        case "28P01", "28000": return .authentication
        case "3D000": return .open
        case "57P01", "57P02", "57P03": return .unreachable
        default: break
        }
        if state.hasPrefix("23") { return .constraint }
        if state.hasPrefix("08") { return .unreachable }
        return kind
    }

    /// A serialization failure or a deadlock: the transaction may simply run again.
    var isConflict: Bool { sqlState == "40001" || sqlState == "40P01" }
}
