import DDEXConfig
import DDEXModel
import Foundation
import TestSupport
import XCTest

/// The `[store]` table: SQLite by default, PostgreSQL by a URL without a password, every refusal located and never
/// repeating a secret.
final class StoreSettingsTests: XCTestCase {
    typealias Address = PostgreSQLSettings.Address
    typealias URLProblem = PostgreSQLSettings.URLProblem

    /// Written into URLs and password files: no message, location or description may ever contain it.
    private let secret = "Sup3r-S3cret-pw"

    /// A valid configuration with `store` at its top (so that a top-level key there stays top-level).
    private func configurationText(store: String) -> String {
        """
        \(store)

        [sender]
        dpid = "PADPIDA2014122301Q"
        name = "Sender"

        [spool]
        root = "spool"

        [schemas]
        folder = "\(RepositoryPaths.xsd.path)"

        [accounting]
        currency = "EUR"
        commission_bp = 1500

        [accounts.label-a]
        commission_bp = 1000

        [dsp.spotify]
        recipient_dpid = "PADPIDA2011072101T"
        recipient_name = "Spotify"

        [dsp.spotify.transport]
        kind = "local"
        remote_root = "dropbox"
        """
    }

    private func load(store: String, in directory: TemporaryDirectory? = nil) throws -> (Configuration?, [Problem], String) {
        let dir = try directory ?? TemporaryDirectory()
        let file = try dir.write(configurationText(store: store), to: "ddexd.toml")
        let (configuration, problems) = ConfigurationLoader.check(path: file.path)
        return (configuration, problems, file.path)
    }

    private func parse(_ url: String) -> Result<Address, URLProblem> {
        do { return .success(try PostgreSQLSettings.parse(url: url)) } catch { return .failure(error) }
    }

    private func assertNoSecret(_ problems: [Problem], file: StaticString = #filePath, line: UInt = #line) {
        for problem in problems {
            XCTAssertFalse(problem.description.contains(secret), "the secret is in \(problem)", file: file, line: line)
        }
    }

    // MARK: - Defaults and accepted forms

    func testWithoutTheTableOrTheKindTheStoreIsSQLite() throws {
        for store in ["", "[store]", "[store]\nkind = \"sqlite\""] {
            let (configuration, problems, _) = try load(store: store)
            XCTAssertEqual(problems, [], store)
            XCTAssertEqual(configuration?.store, StoreSettings(kind: .sqlite), store)
            XCTAssertNil(configuration?.store.postgresql, store)
        }
        XCTAssertEqual(StoreSettings().kind, StoreSettings.Defaults.kind)
        XCTAssertEqual(StoreSettings.Defaults.kind, .sqlite)
        let example = try ConfigurationLoader.load(path: RepositoryPaths.config.appendingPathComponent("ddexd.toml").path)
        XCTAssertEqual(example.store, StoreSettings(), "the example configuration runs without PostgreSQL")
    }

    func testPostgreSQLWithOnlyAURLTakesTheDefaults() throws {
        let (configuration, problems, _) = try load(store: "[store]\nkind = \"postgresql\"\nurl = \"postgresql://ddexd@db.example.net/ddexd\"")
        XCTAssertEqual(problems, [])
        let store = try XCTUnwrap(configuration?.store)
        XCTAssertEqual(store.kind, .postgresql)
        XCTAssertEqual(store.postgresql, PostgreSQLSettings(host: "db.example.net", port: 5432, user: "ddexd", database: "ddexd",
                                                            passwordFile: nil, poolSize: 8, tls: .require))
        XCTAssertEqual(PostgreSQLSettings.Defaults.port, 5432)
        XCTAssertEqual(PostgreSQLSettings.Defaults.poolSize, 8)
        XCTAssertEqual(PostgreSQLSettings.Defaults.tls, .require)
    }

    /// Every key set; the password file is resolved against the configuration's folder and checked, never read.
    func testPostgreSQLWithEveryKey() throws {
        let dir = try TemporaryDirectory()
        let passwordFile = try dir.write(secret + "\n", to: "secrets/pg.password")
        let store = """
            [store]
            kind = "postgresql"
            url = "postgres://ops%40label@[2001:db8::7]:6543/ddexd_prod"
            password_file = "secrets/pg.password"
            pool_size = 64
            tls = "verify-full"
            """
        let (configuration, problems, _) = try load(store: store, in: dir)
        XCTAssertEqual(problems, [])
        let settings = try XCTUnwrap(configuration?.store.postgresql)
        XCTAssertEqual(settings, PostgreSQLSettings(host: "2001:db8::7", port: 6543, user: "ops@label", database: "ddexd_prod",
                                                    passwordFile: passwordFile.path, poolSize: 64, tls: .verifyFull))
        XCTAssertEqual(settings.url, "postgresql://ops%40label@[2001:db8::7]:6543/ddexd_prod")
        XCTAssertEqual(settings.description, "postgresql://ops%40label@[2001:db8::7]:6543/ddexd_prod "
            + "(tls verify-full, pool 64, password from \(passwordFile.path))")
        for text in [settings.description, settings.url, String(describing: configuration), String(reflecting: configuration)] {
            XCTAssertFalse(text.contains(secret), "the password file's contents are never read into the configuration")
        }
    }

    func testEveryAcceptedURLForm() throws {
        let accepted: [(String, Address)] = [
            ("postgresql://ddexd@localhost/ddexd", Address(host: "localhost", port: 5432, user: "ddexd", database: "ddexd")),
            ("postgres://ddexd@localhost/ddexd", Address(host: "localhost", port: 5432, user: "ddexd", database: "ddexd")),
            ("POSTGRESQL://ddexd@localhost/ddexd", Address(host: "localhost", port: 5432, user: "ddexd", database: "ddexd")),
            ("postgresql://ddexd@127.0.0.1:5433/ddexd", Address(host: "127.0.0.1", port: 5433, user: "ddexd", database: "ddexd")),
            ("postgresql://u@db-1.internal_net.example:1/d", Address(host: "db-1.internal_net.example", port: 1, user: "u", database: "d")),
            ("postgresql://u@[::1]/d", Address(host: "::1", port: 5432, user: "u", database: "d")),
            ("postgresql://u@[fe80::1:2]:65535/d", Address(host: "fe80::1:2", port: 65535, user: "u", database: "d")),
            ("postgresql://a%40b%3Ac@h/my%20db", Address(host: "h", port: 5432, user: "a@b:c", database: "my db")),
            ("postgresql://caf%C3%A9@h/%E9%9F%B3%E6%A5%BD", Address(host: "h", port: 5432, user: "café", database: "音楽")),
            ("postgresql://u@h/d%2Fe", Address(host: "h", port: 5432, user: "u", database: "d/e")),
        ]
        for (url, expected) in accepted {
            XCTAssertEqual(parse(url), .success(expected), url)
            // What `url` writes reads back to the same address.
            XCTAssertEqual(try PostgreSQLSettings.parse(url: expected.url), expected, expected.url)
        }
    }

    // MARK: - Refusals

    func testEveryRefusedURLForm() {
        let refused: [(String, URLProblem)] = [
            ("ddexd@localhost/ddexd", .notAURL),
            ("mysql://ddexd@localhost/ddexd", .unsupportedScheme),
            ("postgresql+ssl://u@h/d", .unsupportedScheme),
            ("://u@h/d", .unsupportedScheme),
            ("\(secret)://u@h/d", .unsupportedScheme),
            ("postgresql://ddexd:\(secret)@localhost/ddexd", .passwordInURL),
            ("postgresql://ddexd:@localhost/ddexd", .passwordInURL),
            ("postgresql://ddexd:p?ss#\(secret)@localhost/ddexd", .passwordInURL),
            ("postgresql://ddexd:pa/ss\(secret)@localhost/ddexd", .passwordInURL),
            ("postgresql://ddexd:/\(secret)@localhost/ddexd", .passwordInURL),
            ("postgresql://localhost:5432/d@b", .missingUser),
            ("postgresql://ddexd@localhost/ddexd?sslmode=disable", .queryOrFragment),
            ("postgresql://ddexd@localhost/ddexd#main", .queryOrFragment),
            ("postgresql://ddexd@localhost?x/ddexd", .queryOrFragment),
            ("postgresql://localhost/ddexd", .missingUser),
            ("postgresql://@localhost/ddexd", .missingUser),
            ("postgresql://a@b@localhost/ddexd", .invalidUser(.reservedCharacter("@"))),
            ("postgresql://a%zz@localhost/ddexd", .invalidUser(.badPercentEncoding)),
            ("postgresql://a%FF@localhost/ddexd", .invalidUser(.badPercentEncoding)),
            ("postgresql://a%0A@localhost/ddexd", .invalidUser(.controlCharacter)),
            ("postgresql://\(String(repeating: "u", count: 64))@localhost/ddexd", .invalidUser(.tooLong)),
            ("postgresql://u@/ddexd", .missingHost),
            ("postgresql://u@:5432/ddexd", .missingHost),
            ("postgresql://u@::1/ddexd", .ipv6WithoutBrackets),
            ("postgresql://u@[::1/ddexd", .invalidHost),
            ("postgresql://u@[not-ipv6]/ddexd", .invalidHost),
            ("postgresql://u@[::1]x/ddexd", .invalidHost),
            ("postgresql://u@999.1.1.1/ddexd", .invalidHost),
            ("postgresql://u@db..example/ddexd", .invalidHost),
            ("postgresql://u@-db/ddexd", .invalidHost),
            ("postgresql://u@db%20x/ddexd", .invalidHost),
            ("postgresql://u@h:/ddexd", .invalidPort),
            ("postgresql://u@h:0/ddexd", .invalidPort),
            ("postgresql://u@h:65536/ddexd", .invalidPort),
            ("postgresql://u@h:54a/ddexd", .invalidPort),
            ("postgresql://u@h:+5432/ddexd", .invalidPort),
            ("postgresql://u@[::1]:/ddexd", .invalidPort),
            ("postgresql://u@h", .missingDatabase),
            ("postgresql://u@h/", .missingDatabase),
            ("postgresql://u@h/d/e", .invalidDatabase(.reservedCharacter("/"))),
            ("postgresql://u@h/d%", .invalidDatabase(.badPercentEncoding)),
            ("postgresql://u@h/\(String(repeating: "%C3%A9", count: 32))", .invalidDatabase(.tooLong)),
        ]
        for (url, expected) in refused {
            XCTAssertEqual(parse(url), .failure(expected), url)
            XCTAssertFalse(expected.description.contains(secret), url)
        }
    }

    /// A refused url is located by file, line and key, says the rule, and never repeats the password.
    func testARefusedURLIsLocatedAndTheSecretIsNotRepeated() throws {
        let store = "[store]\nkind = \"postgresql\"\nurl = \"postgresql://ddexd:\(secret)@db.example.net/ddexd\""
        let (configuration, problems, file) = try load(store: store)
        XCTAssertNil(configuration)
        XCTAssertEqual(problems.map(\.code), [.configInvalidValue])
        let index = try XCTUnwrap(configurationText(store: store).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("url =") })
        XCTAssertEqual(problems.first?.location, "\(file):\(index + 1): store.url")
        XCTAssertTrue(problems.first?.message.contains("password_file") ?? false, "\(problems)")
        assertNoSecret(problems)
        XCTAssertThrowsError(try ConfigurationLoader.load(path: file)) { error in
            XCTAssertFalse(String(describing: error).contains(secret))
        }
    }

    func testAMissingURLIsAMissingKey() throws {
        let (configuration, problems, _) = try load(store: "[store]\nkind = \"postgresql\"\npool_size = 4")
        XCTAssertNil(configuration)
        XCTAssertEqual(problems.map(\.code), [.configMissingKey])
        XCTAssertTrue(problems.first?.location.hasSuffix(": store.url") ?? false, "\(problems)")
        XCTAssertTrue(problems.first?.message.contains("postgresql://USER@HOST:PORT/DATABASE") ?? false, "\(problems)")
    }

    /// url, password_file, pool_size and tls say something only to PostgreSQL: under SQLite each is an error, not
    /// silently ignored (and not also an unknown key).
    func testPostgreSQLKeysUnderSQLiteAreRefused() throws {
        let keys = "url = \"postgresql://ddexd:\(secret)@h/d\"\npassword_file = \"/nonexistent\"\npool_size = 4\ntls = \"disable\""
        for kind in ["kind = \"sqlite\"\n", ""] {
            let (configuration, problems, _) = try load(store: "[store]\n" + kind + keys)
            XCTAssertNotNil(configuration, kind)
            XCTAssertEqual(problems.map(\.code), Array(repeating: .configInvalidValue, count: 4), "\(problems)")
            XCTAssertEqual(problems.compactMap { $0.location.components(separatedBy: ": ").last }.sorted(),
                           ["store.password_file", "store.pool_size", "store.tls", "store.url"])
            XCTAssertTrue(problems.allSatisfy { $0.message.contains("applies only to kind = \"postgresql\"") }, "\(problems)")
            assertNoSecret(problems)
        }
    }

    func testInvalidKindPoolSizeAndTLSAndUnknownKeys() throws {
        let postgres = "[store]\nkind = \"postgresql\"\nurl = \"postgresql://u@h/d\"\n"
        let cases: [(String, ProblemCode, String, String)] = [
            ("[store]\nkind = \"mysql\"\nurl = \"mysql://u@h/d\"", .configInvalidValue, "store.kind", "'sqlite', 'postgresql'"),
            ("[store]\nkind = 1", .configWrongType, "store.kind", "a string"),
            (postgres + "pool_size = 0", .configInvalidValue, "store.pool_size", "1...64"),
            (postgres + "pool_size = 65", .configInvalidValue, "store.pool_size", "1...64"),
            (postgres + "pool_size = \"8\"", .configWrongType, "store.pool_size", "an integer"),
            (postgres + "tls = \"prefer\"", .configInvalidValue, "store.tls", "'disable', 'require', 'verify-full'"),
            (postgres + "url_ = 1", .configUnknownKey, "store.url_", "unknown key"),
            ("[store]\nkind = \"sqlite\"\npath = \"x\"", .configUnknownKey, "store.path", "unknown key"),
            ("[store]\nkind = \"postgresql\"\nurl = 5432", .configWrongType, "store.url", "a string"),
            ("store = \"postgresql\"", .configWrongType, "store", "a table"),
        ]
        for (store, code, key, words) in cases {
            let (_, problems, file) = try load(store: store)
            XCTAssertEqual(problems.map(\.code), [code], "\(store): \(problems)")
            XCTAssertTrue(problems.first?.location.hasPrefix(file + ":") ?? false, "\(problems)")
            XCTAssertTrue(problems.first?.location.hasSuffix(": " + key) ?? false, "\(store): \(problems)")
            XCTAssertTrue(problems.first?.message.contains(words) ?? false, "\(store): \(problems)")
        }
    }

    /// The password file must be a readable regular file; a symbolic link to one (as secret stores mount them) will do.
    func testThePasswordFileIsCheckedNotRead() throws {
        let dir = try TemporaryDirectory()
        let real = try dir.write(secret, to: "real.password")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/linked.password", withDestinationPath: real.path)
        try FileManager.default.createDirectory(atPath: dir.path + "/folder.password", withIntermediateDirectories: false)
        func passwordFileProblems(_ passwordFile: String) throws -> [Problem] {
            let store = "[store]\nkind = \"postgresql\"\nurl = \"postgresql://u@h/d\"\npassword_file = \"\(passwordFile)\""
            let (configuration, problems, _) = try load(store: store, in: dir)
            XCTAssertNotNil(configuration)
            assertNoSecret(problems)
            return problems
        }
        XCTAssertEqual(try passwordFileProblems("linked.password"), [])
        XCTAssertEqual(try passwordFileProblems(real.path), [])
        for (name, words) in [("missing.password", "does not exist"), ("folder.password", "is not a regular file")] {
            let found = try passwordFileProblems(name)
            XCTAssertEqual(found.map(\.code), [.configInvalidValue], name)
            XCTAssertTrue(found.first?.location.hasSuffix(": store.password_file") ?? false, "\(found)")
            XCTAssertTrue(found.first?.message == "password file \(dir.path)/\(name) \(words)", "\(found)")
        }
        chmod(real.path, 0)
        // Root reads any file, so an unreadable file can be shown only to an ordinary user.
        let unreadable = try passwordFileProblems("real.password")
        if geteuid() == 0 {
            XCTAssertEqual(unreadable, [])
        } else {
            XCTAssertTrue(unreadable.first?.message.contains("is not readable by this user") ?? false, "\(unreadable)")
        }
    }

    /// The commented-out `[store]` of `Config/ddexd.toml`, once uncommented, is a valid PostgreSQL store that writes
    /// the defaults out.
    func testTheExampleConfigurationsCommentedStoreIsValid() throws {
        let text = try String(contentsOf: RepositoryPaths.config.appendingPathComponent("ddexd.toml"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try XCTUnwrap(lines.firstIndex(of: "# [store]"), "Config/ddexd.toml has a commented [store] example")
        let block = lines[start...].prefix { $0.hasPrefix("# ") }.map { $0.dropFirst(2) }
        let dir = try TemporaryDirectory()
        let passwordFile = try dir.write(secret, to: "postgresql.password")
        let store = block.map { line in
            line.hasPrefix("password_file") ? "password_file = \"\(passwordFile.path)\"" : String(line)
        }.joined(separator: "\n")
        let (configuration, problems, _) = try load(store: store, in: dir)
        XCTAssertEqual(problems, [], store)
        let settings = try XCTUnwrap(configuration?.store.postgresql, store)
        XCTAssertEqual(settings.poolSize, PostgreSQLSettings.Defaults.poolSize)
        XCTAssertEqual(settings.tls, PostgreSQLSettings.Defaults.tls)
        XCTAssertEqual(settings.port, PostgreSQLSettings.Defaults.port)
    }
}
