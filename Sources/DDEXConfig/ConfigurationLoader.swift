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

        let sender = root.table("sender", required: true).flatMap { t -> SenderSettings? in
            defer { t.rejectUnknownKeys() }
            let dpid = t.parsed("dpid", required: true) { (s: String) throws(IdentifierError) in try DPID(validating: s) }
            let name = t.string("name", required: true)
            guard let dpid, let name else { return nil }
            return SenderSettings(dpid: dpid, name: name)
        }

        var spool: SpoolSettings?
        if let override = spoolOverride {
            spool = SpoolSettings(root: resolve(override, against: FileManager.default.currentDirectoryPath))
            if let t = root.table("spool") { _ = t.string("root"); t.rejectUnknownKeys() }
        } else if let t = root.table("spool", required: true) {
            if let r = t.string("root", required: true) { spool = SpoolSettings(root: resolve(r, against: baseFolder)) }
            t.rejectUnknownKeys()
        }

        var intake = IntakeSettings()
        if let t = root.table("intake") {
            if let v = t.int("max_unpacked_bytes", range: 1...Int.max) { intake.maxUnpackedBytes = UInt64(v) }
            if let v = t.int("max_zip_entries", range: 1...10_000_000) { intake.maxZipEntries = v }
            if let v = t.int("max_metadata_bytes", range: 1024...(1 << 31)) { intake.maxMetadataBytes = v }
            if let v = t.int("max_compression_ratio", range: 2...1_000_000) { intake.maxCompressionRatio = UInt64(v) }
            t.rejectUnknownKeys()
        }

        var schemas: SchemaSettings?
        let schemasTable = root.table("schemas")
        let configuredFolder = schemasTable?.string("folder")
        schemasTable?.rejectUnknownKeys()
        let folder = configuredFolder.map { resolve($0, against: baseFolder) }
            ?? SchemaSettings.defaultFolder(besideConfigurationIn: baseFolder)
        let resolvedSchemas = SchemaSettings(folder: folder)
        let missing = resolvedSchemas.requiredFiles.filter { !FileManager.default.fileExists(atPath: $0) }
        if missing.isEmpty {
            schemas = resolvedSchemas
        } else if let schemasTable, configuredFolder != nil {
            schemasTable.report(.configInvalidValue, "folder", "schema file \(missing[0]) does not exist: the folder must hold "
                + "ern43/, ern382/ and ern-c-sftp18/ from the DDEX XSDs (the repository ships them in Config/\(SchemaSettings.shippedFolderName))")
        } else {
            root.report(.configMissingKey, "schemas", "schema file \(missing[0]) does not exist: no [schemas] folder is set, and neither "
                + "\(baseFolder)/\(SchemaSettings.shippedFolderName) nor \(SchemaSettings.installedFolder) holds the DDEX XSDs")
        }

        var accounting: AccountingSettings?
        if let t = root.table("accounting", required: true) {
            let currency = t.string("currency", required: true)
            if let c = currency, !isCurrencyCode(c) {
                t.report(.configInvalidValue, "currency", "'\(c)' is not an ISO 4217 code such as EUR")
            }
            let bp = t.int("commission_bp", required: true, range: 0...10_000)
            if let currency, let bp, isCurrencyCode(currency) { accounting = AccountingSettings(currency: currency, commissionBasisPoints: bp) }
            t.rejectUnknownKeys()
        }

        var daemon = DaemonSettings()
        if let t = root.table("daemon") {
            if let v = t.int("rescan_seconds", range: 1...86_400) { daemon.rescanSeconds = v }
            if let v = t.int("shutdown_timeout_seconds", range: 1...3600) { daemon.shutdownTimeoutSeconds = v }
            if let v = t.int("status_interval_seconds", range: 1...3600) { daemon.statusIntervalSeconds = v }
            if let v = t.string("log_level") {
                let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                if levels.contains(v) { daemon.logLevel = v } else {
                    t.report(.configInvalidValue, "log_level", "'\(v)' is not one of \(levels.joined(separator: ", "))")
                }
            }
            t.rejectUnknownKeys()
        }

        var dsps: [String: DSPProfile] = [:]
        if let t = root.table("dsp") {
            for name in t.table.keys.sorted() {
                guard let profileTable = t.table(name) else { continue }
                if let profile = DSPProfileReader.read(name: name, profileTable, baseFolder: baseFolder) { dsps[name] = profile }
            }
        }
        if let folder = root.string("dsp_folder") {
            let resolved = resolve(folder, against: baseFolder)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: resolved)) ?? []
            if files.isEmpty, !FileManager.default.fileExists(atPath: resolved) {
                root.report(.configInvalidValue, "dsp_folder", "folder \(resolved) does not exist")
            }
            for file in files.sorted() where file.hasSuffix(".toml") {
                let name = String(file.dropLast(5))
                let filePath = resolved + "/" + file
                guard isProfileName(name) else {
                    collector.add(.error(.configInvalidValue, at: filePath, "a DSP profile name must be lower-case letters, digits, '-' or '_'"))
                    continue
                }
                guard dsps[name] == nil else {
                    collector.add(.error(.configInvalidValue, at: filePath, "DSP '\(name)' is defined twice"))
                    continue
                }
                guard let (profileTable, profileLocator) = parseFile(filePath, collector) else { continue }
                let reader = TableReader(table: profileTable, path: [], file: filePath, locator: profileLocator, problems: collector)
                if let profile = DSPProfileReader.read(name: name, reader, baseFolder: resolved) { dsps[name] = profile }
            }
        }
        if dsps.isEmpty { root.report(.configMissingKey, nil, "no DSP profile: add [dsp.NAME] tables or a dsp_folder with NAME.toml files") }

        var accounts: [String: Account] = [:]
        if let t = root.table("accounts", required: true) {
            for name in t.table.keys.sorted() {
                guard let a = t.table(name) else { continue }
                defer { a.rejectUnknownKeys() }
                guard isProfileName(name) else {
                    a.report(.configInvalidValue, nil, "an account name must be lower-case letters, digits, '-' or '_'")
                    continue
                }
                let inbound = a.string("inbound").map { resolve($0, against: baseFolder) }
                    ?? spool.map { $0.inbound + "/" + name }
                let bp = a.int("commission_bp", range: 0...10_000)
                let targets = a.stringArray("dsps") ?? []
                for target in targets where dsps[target] == nil {
                    a.report(.configInvalidValue, "dsps", "no DSP profile named '\(target)'")
                }
                if let inbound { accounts[name] = Account(name: name, inbound: inbound, commissionBasisPoints: bp, dsps: targets) }
            }
            if t.table.isEmpty { t.report(.configMissingKey, nil, "no account: add an [accounts.NAME] table") }
        }
        root.rejectUnknownKeys()

        guard let sender, let spool, let schemas, let accounting else { return (nil, collector.problems) }
        let configuration = Configuration(sourcePath: path, sender: sender, spool: spool, intake: intake, schemas: schemas,
                                          accounting: accounting, daemon: daemon, accounts: accounts, dsps: dsps)
        return (configuration, collector.problems)
    }

    private static func parseFile(_ path: String, _ collector: ProblemCollector) -> (TOMLTable, TOMLKeyLocator)? {
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
