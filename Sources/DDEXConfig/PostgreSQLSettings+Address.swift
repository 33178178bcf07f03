import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension PostgreSQLSettings {
    /// Where a PostgreSQL database is and who logs in to it: what `[store] url` says.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        /// A host name, an IPv4 address or an IPv6 address (without brackets).
        public var host: String
        public var port: Int
        public var user: String
        public var database: String

        public init(host: String, port: Int = Defaults.port, user: String, database: String) {
            self.host = host
            self.port = port
            self.user = user
            self.database = database
        }

        /// `postgresql://user@host:port/database`, which `parse(url:)` reads back to the same address.
        public var url: String {
            let host = self.host.contains(":") ? "[\(self.host)]" : self.host
            return "postgresql://\(Self.encoded(user))@\(host):\(port)/\(Self.encoded(database))"
        }

        public var description: String { url }

        /// RFC 3986's unreserved characters stay as they are; every other byte is percent-encoded.
        private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

        private static func encoded(_ name: String) -> String {
            name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? name
        }
    }

    /// The URL schemes `[store] url` may use: libpq takes both.
    public static let urlSchemes = ["postgresql", "postgres"]

    /// Reads `postgresql://USER@HOST:PORT/DATABASE` (or `postgres://…`).
    ///
    /// HOST is a name, an IPv4 address or an IPv6 address in brackets; `:PORT` may be left out (5432). USER and
    /// DATABASE are required and percent-decoded. A password (`USER:PASSWORD@`), a query string and a fragment are
    /// refused: the password belongs in `password_file`, the connection options in the `[store]` keys.
    public static func parse(url: String) throws(URLProblem) -> Address {
        guard let separator = url.range(of: "://") else { throw .notAURL }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard urlSchemes.contains(scheme) else { throw .unsupportedScheme }
        let rest = url[separator.upperBound...]
        // The authority ends at the path's '/'. A password holding '?' or '#' is still seen as one: the password
        // check comes before the query check, so its message is the one that helps. One holding '/' ends the
        // authority early (`user:pa/ss@host`), but what follows the ':' is no port and an '@' comes later.
        let authority = rest.prefix { $0 != "/" }
        let at = authority.lastIndex(of: "@")
        let userInfo = at.map { authority[..<$0] }
        let cutPassword = at == nil && rest.contains("@") && authority.contains(":")
            && !(authority.split(separator: ":").last?.allSatisfy(\.isASCIIDigit) ?? false)
        if userInfo?.contains(":") == true || cutPassword { throw .passwordInURL }
        if rest.contains("?") || rest.contains("#") { throw .queryOrFragment }

        guard let userInfo, !userInfo.isEmpty else { throw .missingUser }
        if userInfo.contains("@") { throw .invalidUser(.reservedCharacter("@")) }
        let user: String
        do { user = try decodedName(userInfo) } catch { throw .invalidUser(error) }

        let (host, port) = try hostAndPort(at.map { authority[authority.index(after: $0)...] } ?? authority)

        let path = rest[authority.endIndex...].dropFirst()
        guard !path.isEmpty else { throw .missingDatabase }
        if path.contains("/") { throw .invalidDatabase(.reservedCharacter("/")) }
        let database: String
        do { database = try decodedName(path) } catch { throw .invalidDatabase(error) }
        return Address(host: host, port: port, user: user, database: database)
    }

    /// `HOST`, `HOST:PORT`, `[IPv6]` or `[IPv6]:PORT`.
    private static func hostAndPort(_ text: Substring) throws(URLProblem) -> (String, Int) {
        let host: Substring
        let portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidHost }
            host = text[text.index(after: text.startIndex)..<close]
            guard isIPAddress(host, family: AF_INET6) else { throw .invalidHost }
            let after = text[text.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw .invalidHost }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count > 2 { throw .ipv6WithoutBrackets }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            guard !host.isEmpty else { throw .missingHost }
            guard isHostName(host) else { throw .invalidHost }
        }
        guard let portText else { return (String(host), Defaults.port) }
        guard portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), (1...65_535).contains(port) else {
            throw .invalidPort
        }
        return (String(host), port)
    }

    /// A user or database name, percent-decoded: UTF-8, no control characters, within PostgreSQL's 63 bytes.
    private static func decodedName(_ text: Substring) throws(URLProblem.NameFault) -> String {
        guard let name = String(text).removingPercentEncoding else { throw .badPercentEncoding }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { throw .controlCharacter }
        // PostgreSQL cuts longer names to 63 bytes (NAMEDATALEN - 1), so the name used would not be the one written.
        guard name.utf8.count <= 63 else { throw .tooLong }
        return name
    }

    /// A DNS name (letters, digits, '-', '_', dot-separated labels) or, when it is all digits and dots, an IPv4 address.
    private static func isHostName(_ host: Substring) -> Bool {
        if host.allSatisfy({ $0.isASCIIDigit || $0 == "." }) { return isIPAddress(host, family: AF_INET) }
        guard host.utf8.count <= 253 else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }

    private static func isIPAddress(_ text: Substring, family: Int32) -> Bool {
        var buffer = in6_addr()  // large enough for either family
        return inet_pton(family, String(text), &buffer) == 1
    }

    /// Why a `[store] url` is refused. No description repeats what the URL holds, so a password written in it, or
    /// mistaken for its user, host or database, never reaches a message or a log.
    public enum URLProblem: Error, Sendable, Hashable, CustomStringConvertible {
        /// Why a user or database name is refused.
        public enum NameFault: Error, Sendable, Hashable, CustomStringConvertible {
            case badPercentEncoding
            case controlCharacter
            case tooLong
            /// A character with a meaning in the URL, written as it is instead of percent-encoded.
            case reservedCharacter(Character)

            public var description: String {
                switch self {
                case .badPercentEncoding: "has a '%' not followed by two hexadecimal digits, or decodes to bytes that are not UTF-8"
                case .controlCharacter: "holds a control character"
                case .tooLong: "is longer than PostgreSQL's 63 bytes"
                case .reservedCharacter(let c):
                    "holds '\(c)', which must be percent-encoded (\(c.utf8.map { "%" + String($0, radix: 16, uppercase: true) }.joined()))"
                }
            }
        }

        case notAURL
        case unsupportedScheme
        case passwordInURL
        case queryOrFragment
        case missingUser
        case invalidUser(NameFault)
        case missingHost
        case invalidHost
        case ipv6WithoutBrackets
        case invalidPort
        case missingDatabase
        case invalidDatabase(NameFault)

        static let form = "postgresql://USER@HOST:PORT/DATABASE"

        public var description: String {
            switch self {
            case .notAURL: "is not a URL of the form \(Self.form)"
            case .unsupportedScheme: "does not start with postgresql:// or postgres:// (\(Self.form))"
            case .passwordInURL:
                "holds a password (USER:PASSWORD@): put the password alone in a file only ddexd may read and name that "
                    + "file with password_file, so that the configuration, which operators and tools read, holds no secret"
            case .queryOrFragment:
                "has a query string or fragment ('?…' or '#…'): ddexd takes no connection options in the URL; "
                    + "the [store] keys pool_size and tls set them"
            case .missingUser: "names no user: \(Self.form)"
            case .invalidUser(let fault): "the user name \(fault)"
            case .missingHost: "names no host: \(Self.form)"
            case .invalidHost: "the host must be a name, an IPv4 address or an IPv6 address in brackets ([::1])"
            case .ipv6WithoutBrackets: "an IPv6 address must be written in brackets, as in postgresql://USER@[::1]:5432/DATABASE"
            case .invalidPort: "the port must be a number from 1 to 65535"
            case .missingDatabase: "names no database: \(Self.form)"
            case .invalidDatabase(let fault): "the database name \(fault)"
            }
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
