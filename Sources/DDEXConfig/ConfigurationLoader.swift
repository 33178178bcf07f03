import DDEXModel
import Foundation
import TOMLKit

/// Reads `ddexd.toml` (and the DSP profile files it names) into a validated `Configuration`.
///
/// Every problem is reported, not only the first, each with file, line and key. Relative paths in the
/// file are resolved against the folder of the file that contains them, so a configuration works from
/// any working directory.
public enum ConfigurationLoader {
    /// Loads and validates; throws `ConfigurationError` with every problem found.
    public static func load(path: String, spoolOverride: String? = nil) throws(ConfigurationError) -> Configuration {
        let (configuration, problems) = check(path: path, spoolOverride: spoolOverride)
        guard let configuration, !problems.hasErrors else {
            throw ConfigurationError(problems: problems)
        }
        return configuration
    }

    /// Loads and validates, returning the configuration (when usable) and every problem found.
    public static func check(path: String, spoolOverride: String? = nil) -> (Configuration?, [Problem]) {
        let collector = ProblemCollector()
        guard let (table, locator) = parseFile(path, collector) else { return (nil, collector.problems) }
        let baseFolder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let root = TableReader(table: table, path: [], file: path, locator: locator, problems: collector)

        let sender = readSender(root)
        let spool = readSpool(root, override: spoolOverride, baseFolder: baseFolder)
        let intake = readIntake(root)
        let schemas = readSchemas(root, baseFolder: baseFolder)
        let accounting = readAccounting(root)
        let daemon = readDaemon(root)
        let store = StoreSettingsReader.read(root, baseFolder: baseFolder)
        let dsps = readDSPs(root, baseFolder: baseFolder, collector)
        let accounts = readAccounts(root, spool: spool, dsps: dsps, baseFolder: baseFolder)
        root.rejectUnknownKeys()

        guard let sender, let spool, let schemas, let accounting, let store else { return (nil, collector.problems) }
        let configuration = Configuration(sourcePath: path, sender: sender, spool: spool, intake: intake, schemas: schemas,
                                          accounting: accounting, daemon: daemon, store: store, accounts: accounts, dsps: dsps)
        return (configuration, collector.problems)
    }

    static func parseFile(_ path: String, _ collector: ProblemCollector) -> (TOMLTable, TOMLKeyLocator)? {
        guard let data = FileManager.default.contents(atPath: path) else {
            collector.add(.error(.configUnreadable, at: path, "cannot read the configuration file (missing or not readable)"))
            return nil
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            collector.add(.error(.configUnreadable, at: path, "the file is not valid UTF-8"))
            return nil
        }
        if let error = TOMLSyntaxCheck.firstError(in: text) {
            collector.add(.error(.configSyntax, at: "\(path):\(error.line)", "TOML syntax error at column \(error.column): \(error.message)"))
            return nil
        }
        do {
            return (try TOMLTable(string: text), TOMLKeyLocator(text: text))
        } catch let error as TOMLParseError {
            collector.add(.error(.configSyntax, at: "\(path):\(error.source.begin.line)",
                                 "TOML syntax error at column \(error.source.begin.column): \(error.description)"))
        } catch {
            collector.add(.error(.configSyntax, at: path, "TOML syntax error: \(error)"))
        }
        return nil
    }

    static func resolve(_ path: String, against folder: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: folder).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    static func isProfileName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }
    }

    static func isCurrencyCode(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }
}

/// Every problem found in a configuration file.
public struct ConfigurationError: CodedError {
    public var problems: [Problem]
    public var code: String { problems.errors.first?.code.rawValue ?? "CONFIG_INVALID" }
    public var description: String { problems.map(\.description).joined(separator: "\n") }

    public init(problems: [Problem]) { self.problems = problems }
}
