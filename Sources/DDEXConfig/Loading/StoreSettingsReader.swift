import DDEXModel
import Foundation

/// Reads the `[store]` table: the engine and, for PostgreSQL, where the database is and how to log in.
enum StoreSettingsReader {
    /// The keys only `kind = "postgresql"` reads.
    static let postgreSQLKeys = ["url", "password_file", "pool_size", "tls"]
    static let poolSizes = 1...64

    /// The settings (SQLite's when the table is absent), or nil when `kind` or `url` is unusable (reported).
    static func read(_ root: TableReader, baseFolder: String) -> StoreSettings? {
        guard let t = root.table("store") else { return StoreSettings() }
        defer { t.rejectUnknownKeys() }
        guard let kind = t.validChoice("kind", default: StoreSettings.Defaults.kind) else {
            // The kind decides what the other keys mean: they are not judged against a guess.
            for key in postgreSQLKeys { _ = t.contains(key) }
            return nil
        }
        switch kind {
        case .sqlite:
            // A PostgreSQL key under SQLite is a configuration half changed: say so rather than ignore it.
            for key in postgreSQLKeys where t.contains(key) {
                t.report(.configInvalidValue, key, "applies only to kind = \"postgresql\"; this store is kind = \"sqlite\""
                    + (t.table["kind"] == nil ? " (the default when kind is not set)" : ""))
            }
            return StoreSettings(kind: .sqlite)
        case .postgresql:
            return readPostgreSQL(t, baseFolder: baseFolder).map { StoreSettings(kind: .postgresql, postgresql: $0) }
        }
    }

    private static func readPostgreSQL(_ t: TableReader, baseFolder: String) -> PostgreSQLSettings? {
        let address = address(t)
        let passwordFile = t.string("password_file").map { ConfigurationLoader.resolve($0, against: baseFolder) }
        if let passwordFile { checkPasswordFile(passwordFile, t) }
        let poolSize = t.int("pool_size", range: poolSizes) ?? PostgreSQLSettings.Defaults.poolSize
        let tls = t.choice("tls", default: PostgreSQLSettings.Defaults.tls)
        return address.map { PostgreSQLSettings(address: $0, passwordFile: passwordFile, poolSize: poolSize, tls: tls) }
    }

    /// The required `url`. Its problems are reported without repeating it: it may hold a password.
    private static func address(_ t: TableReader) -> PostgreSQLSettings.Address? {
        guard let url = t.string("url") else {
            if t.table["url"] == nil {
                t.report(.configMissingKey, "url", "required with kind = \"postgresql\": the database as "
                    + PostgreSQLSettings.URLProblem.form)
            }
            return nil
        }
        do {
            return try PostgreSQLSettings.parse(url: url)
        } catch {
            t.report(.configInvalidValue, "url", error.description)
            return nil
        }
    }

    /// The daemon reads the password when it connects; the file is checked now so that a wrong path is a configuration
    /// error, not a failure at the first connection. It is never read here: the secret stays out of the configuration.
    private static func checkPasswordFile(_ path: String, _ t: TableReader) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT ? "does not exist" : "cannot be reached (\(String(cString: strerror(errno))))"
            t.report(.configInvalidValue, "password_file", "password file \(path) \(reason)")
            return
        }
        if info.st_mode & S_IFMT != S_IFREG {
            t.report(.configInvalidValue, "password_file", "password file \(path) is not a regular file")
        } else if access(path, R_OK) != 0 {
            t.report(.configInvalidValue, "password_file", "password file \(path) is not readable by this user (uid \(getuid()))")
        }
    }
}
