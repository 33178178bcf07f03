import DDEXConfig
import DDEXModel
import TestSupport
import XCTest

final class ConfigurationLoaderTests: XCTestCase {
    private let schemaFolder = RepositoryPaths.xsd.path

    private func minimal(extra: String = "", dsp: String? = nil) -> String {
        """
        [sender]
        dpid = "PADPIDA2014122301Q"
        name = "Sender"

        [spool]
        root = "spool"

        [schemas]
        folder = "\(schemaFolder)"

        [accounting]
        currency = "EUR"
        commission_bp = 1500

        [accounts.label-a]
        commission_bp = 1000
        \(extra)

        [dsp.spotify]
        recipient_dpid = "PADPIDA2011072101T"
        recipient_name = "Spotify"
        \(dsp ?? "")

        [dsp.spotify.transport]
        kind = "local"
        remote_root = "dropbox"
        """
    }

    private func load(_ text: String) throws -> (Configuration?, [Problem], String) {
        let dir = try TemporaryDirectory()
        let file = try dir.write(text, to: "ddexd.toml")
        let (configuration, problems) = ConfigurationLoader.check(path: file.path)
        return (configuration, problems, file.path)
    }

    /// Without `[schemas] folder`, the shipped `ddex-xsd/` beside the configuration is used; without that
    /// too (and nothing installed), the error names both places it looked.
    func testSchemaFolderDefaultsToTheShippedOneBesideTheConfiguration() throws {
        let text = minimal().replacingOccurrences(of: "[schemas]\nfolder = \"\(schemaFolder)\"\n", with: "")
        XCTAssertFalse(text.contains("[schemas]"))
        let dir = try TemporaryDirectory()
        let file = try dir.write(text, to: "ddexd.toml")
        try FileManager.default.copyItem(at: RepositoryPaths.xsd, to: dir.url.appendingPathComponent("ddex-xsd"))
        let (configuration, problems) = ConfigurationLoader.check(path: file.path)
        XCTAssertEqual(problems, [])
        XCTAssertEqual(configuration?.schemas.folder, dir.path + "/ddex-xsd")

        try FileManager.default.removeItem(at: dir.url.appendingPathComponent("ddex-xsd"))
        let (missing, missingProblems) = ConfigurationLoader.check(path: file.path)
        if FileManager.default.fileExists(atPath: SchemaSettings(folder: SchemaSettings.installedFolder).ern43) {
            XCTAssertEqual(missing?.schemas.folder, SchemaSettings.installedFolder, "the installed schemas")
        } else {
            XCTAssertNil(missing)
            let problem = try XCTUnwrap(missingProblems.first)
            XCTAssertEqual(problem.code, .configMissingKey)
            XCTAssertTrue(problem.message.contains(dir.path + "/ddex-xsd") && problem.message.contains(SchemaSettings.installedFolder), problem.message)
        }
    }

    /// A configured folder without the schemas names the file it looked for, with file and line.
    func testConfiguredSchemaFolderWithoutTheSchemasIsAnError() throws {
        let (configuration, problems, path) = try load(minimal().replacingOccurrences(of: schemaFolder, with: "/nonexistent/xsd"))
        XCTAssertNil(configuration)
        let problem = try XCTUnwrap(problems.first { $0.code == .configInvalidValue })
        XCTAssertTrue(problem.location.hasPrefix(path + ":"), problem.location)
        XCTAssertTrue(problem.message.contains("/nonexistent/xsd/ern43/release-notification.xsd"), problem.message)
    }

    func testExampleConfigurationLoadsWithItsThreeDSPs() throws {
        let configuration = try ConfigurationLoader.load(path: RepositoryPaths.config.appendingPathComponent("ddexd.toml").path)
        XCTAssertEqual(configuration.dsps.keys.sorted(), ["labelcamp", "spotify", "youtube"])
        let spotify = try XCTUnwrap(configuration.dsps["spotify"])
        XCTAssertEqual(spotify.ernVersion, .ern43)
        XCTAssertEqual(spotify.choreography, .batch)
        XCTAssertEqual(spotify.takedownStyle, .removeDeals)
        XCTAssertEqual(spotify.coverMinPixels, 640)
        XCTAssertEqual(spotify.audioFormats, [.flac, .pcm])
        XCTAssertEqual(configuration.dsps["youtube"]?.recipientDPID.value, "PADPIDA2013020802I")
        let labelcamp = try XCTUnwrap(configuration.dsps["labelcamp"])
        XCTAssertEqual(labelcamp.ernVersion, .ern382)
        XCTAssertEqual(labelcamp.recipientDPID.value, "PADPIDA2011111602K")
        XCTAssertEqual(labelcamp.coverFormats, [.jpeg])
        XCTAssertEqual(labelcamp.coverMinPixels, 3000)
        XCTAssertEqual(configuration.accounting.currency, "EUR")
        XCTAssertEqual(configuration.spool.root, RepositoryPaths.root.appendingPathComponent("Spool").standardizedFileURL.path)
        XCTAssertEqual(configuration.accounts["example-label"]?.inbound, configuration.spool.inbound + "/example-label")
    }

    func testMinimalConfigurationResolvesPathsAgainstItsFolder() throws {
        let (configuration, problems, file) = try load(minimal())
        XCTAssertEqual(problems, [])
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        XCTAssertEqual(configuration?.spool.root, folder + "/spool")
        XCTAssertEqual(configuration?.dsps["spotify"]?.transport.remoteRoot, folder + "/dropbox")
        XCTAssertEqual(configuration?.accounts["label-a"]?.commissionBasisPoints, 1000)
    }

    func testSyntaxErrorNamesTheLine() throws {
        let (configuration, problems, file) = try load("[sender]\ndpid = \"PADPIDA2014122301Q\"\nname = \n")
        XCTAssertNil(configuration)
        XCTAssertEqual(problems.first?.code, .configSyntax)
        XCTAssertEqual(problems.first?.location, "\(file):3")
    }

    /// toml++ (inside TOMLKit) aborts the process on a header whose key starts with a character no key starts
    /// with (found by `scripts/fuzz config-toml`); ddexd refuses it first, naming line and column.
    func testHeaderWithoutAKeyIsASyntaxErrorNotACrash() throws {
        for (header, found) in [("[#sp", "'#'"), ("[= \"\"]", "'='"), ("[[ !x]]", "'!'"), ("[", "the end of the line"), ("[ \té]", "U+00E9"), ("[[[a]]]", "'['"), ("[ [a]]", "'['")] {
            let (configuration, problems, file) = try load(minimal() + "\n" + header + "\n")
            XCTAssertNil(configuration, header)
            XCTAssertEqual(problems.map(\.code), [.configSyntax], header)
            let line = minimal().split(separator: "\n", omittingEmptySubsequences: false).count + 1
            XCTAssertEqual(problems.first?.location, "\(file):\(line)", header)
            XCTAssertTrue(problems.first?.message.contains("saw \(found)") ?? false, "\(header): \(problems)")
        }
        let fixtures = RepositoryPaths.fixtures.appendingPathComponent("fuzz/config-toml")
        for name in ["crash-header-comment", "crash-header-equals"] {
            let (configuration, problems) = ConfigurationLoader.check(path: fixtures.appendingPathComponent(name).path)
            XCTAssertNil(configuration, name)
            XCTAssertEqual(problems.first?.code, .configSyntax, name)
        }
    }

    /// A `[` that opens an array, inside a string or a comment, is no header: such documents still load.
    func testBracketsInsideValuesAreNotHeaders() throws {
        let values = """
            [accounts.label-b]
            commission_bp = 1000 # [#not a header
            note = "[#x" # a string
            poem = \"\"\"
            [#still a string \\\"\"\"
            ]\"\"\"
            raw = '''
            [ !inside'''
            nested = [
              [#a comment inside an array
                1],
              { a = "[" },
            ]
            """
        let (configuration, problems, _) = try load(minimal(extra: "") + "\n" + values)
        XCTAssertNotNil(configuration?.accounts["label-b"], "\(problems)")
        // Each key is reported as unknown to an account, which shows it was parsed where it was written.
        XCTAssertEqual(problems.filter { $0.code == .configSyntax }, [])
        for key in ["note", "poem", "raw", "nested"] {
            XCTAssertTrue(problems.contains { $0.code == .configUnknownKey && $0.location.hasSuffix("accounts.label-b.\(key)") },
                          "\(key): \(problems)")
        }
    }

    func testEveryErrorIsReportedWithLineAndKey() throws {
        let text = minimal(extra: "colour = \"red\"", dsp: "ern_version = \"4.2\"\ncover_min_pixels = \"large\"\nterritories = [\"WW\"]")
        let (_, problems, file) = try load(text)
        let byKey = Dictionary(grouping: problems, by: { $0.location.components(separatedBy: ": ").last ?? "" })
        XCTAssertEqual(byKey["accounts.label-a.colour"]?.first?.code, .configUnknownKey)
        XCTAssertEqual(byKey["dsp.spotify.ern_version"]?.first?.code, .configInvalidValue)
        XCTAssertEqual(byKey["dsp.spotify.cover_min_pixels"]?.first?.code, .configWrongType)
        XCTAssertEqual(byKey["dsp.spotify.territories"]?.first?.code, .configInvalidValue)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let ernLine = (lines.firstIndex { $0.hasPrefix("ern_version") } ?? -1) + 1
        XCTAssertEqual(byKey["dsp.spotify.ern_version"]?.first?.location, "\(file):\(ernLine): dsp.spotify.ern_version")
        XCTAssertEqual(problems.errors.count, 4, "\(problems)")
    }

    func testInvalidDPIDAndMissingKeysAreErrors() throws {
        var text = minimal().replacingOccurrences(of: "PADPIDA2011072101T", with: "PADPIDA2011072101X")
        text = text.replacingOccurrences(of: "commission_bp = 1500\n", with: "")
        let (configuration, problems, _) = try load(text)
        XCTAssertNil(configuration)
        XCTAssertTrue(problems.contains { $0.code == .configInvalidValue && $0.location.hasSuffix("dsp.spotify.recipient_dpid") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.code == .configMissingKey && $0.location.hasSuffix("accounting.commission_bp") }, "\(problems)")
    }

    func testSHA256IsRefusedForERN382() throws {
        let (_, problems, _) = try load(minimal(dsp: "ern_version = \"3.8.2\"\nhash_algorithms = [\"MD5\", \"SHA-256\"]"))
        XCTAssertTrue(problems.contains { $0.location.hasSuffix("dsp.spotify.hash_algorithms") }, "\(problems)")
    }

    func testSFTPTransportNeedsHostUserKeyAndKnownHosts() throws {
        let text = minimal().replacingOccurrences(of: "kind = \"local\"", with: "kind = \"sftp\"")
        let (configuration, problems, _) = try load(text)
        XCTAssertNotNil(configuration)
        let missing = Set(problems.filter { $0.code == .configMissingKey }.compactMap { $0.location.components(separatedBy: ".").last })
        XCTAssertEqual(missing, ["host", "user", "private_key", "known_hosts"])
    }

    func testSpoolOverrideWins() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write(minimal(), to: "ddexd.toml")
        let configuration = try ConfigurationLoader.load(path: file.path, spoolOverride: "/srv/ddexd-spool")
        XCTAssertEqual(configuration.spool.root, "/srv/ddexd-spool")
    }

    func testMissingFileAndNonUTF8AreReported() throws {
        let (_, missing) = ConfigurationLoader.check(path: "/nonexistent/ddexd.toml")
        XCTAssertEqual(missing.first?.code, .configUnreadable)
        let dir = try TemporaryDirectory()
        let file = try dir.write(Data([0x5B, 0xFF, 0xFE, 0x5D]), to: "bad.toml")
        let (_, bad) = ConfigurationLoader.check(path: file.path)
        XCTAssertEqual(bad.first?.code, .configUnreadable)
    }
}
