import Foundation
import Store

/// The password of the database user, read from `[store] password_file` when the store connects: never kept in the
/// configuration, never logged, never in an error message.
enum PostgresPassword {
    /// The file's content without its final line break; nil when no file is configured (a server that trusts the
    /// user, or a `.pgpass`-less peer login on a socket). `STORE_PASSWORD_FILE` when it cannot be read or is empty.
    static func read(_ path: String?) throws(StoreError) -> String? {
        guard let path else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(.passwordFile, message: "\(path): the password file cannot be read (it must exist and be readable by the ddexd user)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while let last = text.last, last == "\n" || last == "\r" { text.removeLast() }
        guard !text.isEmpty else { throw StoreError(.passwordFile, message: "\(path): the password file is empty") }
        guard !text.contains("\n") else {
            throw StoreError(.passwordFile, message: "\(path): the password file holds more than one line; it must hold the password alone")
        }
        return text
    }
}
