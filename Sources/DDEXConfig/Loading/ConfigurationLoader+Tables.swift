import DDEXModel
import Foundation

// One reader per table of ddexd.toml, each reporting its own problems; `ConfigurationLoader.check` puts them together.
extension ConfigurationLoader {
    static func readSender(_ root: TableReader) -> SenderSettings? {
        root.table("sender", required: true).flatMap { t -> SenderSettings? in
            defer { t.rejectUnknownKeys() }
            let dpid = t.parsed("dpid", required: true) { (s: String) throws(IdentifierError) in try DPID(validating: s) }
            let name = t.string("name", required: true)
            guard let dpid, let name else { return nil }
            return SenderSettings(dpid: dpid, name: name)
        }
    }

    /// `[spool] root`, or `--spool` over it (resolved against the working folder, not the file's).
    static func readSpool(_ root: TableReader, override: String?, baseFolder: String) -> SpoolSettings? {
        if let override {
            if let t = root.table("spool") { _ = t.string("root"); t.rejectUnknownKeys() }
            return SpoolSettings(root: resolve(override, against: FileManager.default.currentDirectoryPath))
        }
        guard let t = root.table("spool", required: true) else { return nil }
        defer { t.rejectUnknownKeys() }
        return t.string("root", required: true).map { SpoolSettings(root: resolve($0, against: baseFolder)) }
    }

    static func readIntake(_ root: TableReader) -> IntakeSettings {
        var intake = IntakeSettings()
        guard let t = root.table("intake") else { return intake }
        if let v = t.int("max_unpacked_bytes", range: 1...Int.max) { intake.maxUnpackedBytes = UInt64(v) }
        if let v = t.int("max_zip_entries", range: 1...10_000_000) { intake.maxZipEntries = v }
        if let v = t.int("max_metadata_bytes", range: 1024...(1 << 31)) { intake.maxMetadataBytes = v }
        if let v = t.int("max_compression_ratio", range: 2...1_000_000) { intake.maxCompressionRatio = UInt64(v) }
        t.rejectUnknownKeys()
        return intake
    }

    /// `[schemas] folder`, else the shipped folder beside the file, else the installed one; each must hold the XSDs.
    static func readSchemas(_ root: TableReader, baseFolder: String) -> SchemaSettings? {
        let schemasTable = root.table("schemas")
        let configuredFolder = schemasTable?.string("folder")
        schemasTable?.rejectUnknownKeys()
        let folder = configuredFolder.map { resolve($0, against: baseFolder) }
            ?? SchemaSettings.defaultFolder(besideConfigurationIn: baseFolder)
        let resolvedSchemas = SchemaSettings(folder: folder)
        let missing = resolvedSchemas.requiredFiles.filter { !FileManager.default.fileExists(atPath: $0) }
        if missing.isEmpty { return resolvedSchemas }
        if let schemasTable, configuredFolder != nil {
            schemasTable.report(.configInvalidValue, "folder", "schema file \(missing[0]) does not exist: the folder must hold "
                + "ern43/, ern382/ and ern-c-sftp18/ from the DDEX XSDs (the repository ships them in Config/\(SchemaSettings.shippedFolderName))")
        } else {
            root.report(.configMissingKey, "schemas", "schema file \(missing[0]) does not exist: no [schemas] folder is set, and neither "
                + "\(baseFolder)/\(SchemaSettings.shippedFolderName) nor \(SchemaSettings.installedFolder) holds the DDEX XSDs")
        }
        return nil
    }

    static func readAccounting(_ root: TableReader) -> AccountingSettings? {
        guard let t = root.table("accounting", required: true) else { return nil }
        defer { t.rejectUnknownKeys() }
        let currency = t.string("currency", required: true)
        if let c = currency, !isCurrencyCode(c) {
            t.report(.configInvalidValue, "currency", "'\(c)' is not an ISO 4217 code such as EUR")
        }
        let bp = t.int("commission_bp", required: true, range: 0...10_000)
        guard let currency, let bp, isCurrencyCode(currency) else { return nil }
        return AccountingSettings(currency: currency, commissionBasisPoints: bp)
    }

    static func readDaemon(_ root: TableReader) -> DaemonSettings {
        var daemon = DaemonSettings()
        guard let t = root.table("daemon") else { return daemon }
        if let v = t.int("rescan_seconds", range: 1...86_400) { daemon.rescanSeconds = v }
        if let v = t.int("shutdown_timeout_seconds", range: 1...3600) { daemon.shutdownTimeoutSeconds = v }
        if let v = t.int("status_interval_seconds", range: 1...3600) { daemon.statusIntervalSeconds = v }
        if let v = t.int("lease_seconds", range: 1...3600) { daemon.leaseSeconds = v }
        if let v = t.string("log_level") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if levels.contains(v) { daemon.logLevel = v } else {
                t.report(.configInvalidValue, "log_level", "'\(v)' is not one of \(levels.joined(separator: ", "))")
            }
        }
        t.rejectUnknownKeys()
        return daemon
    }

    /// The `[dsp.NAME]` tables, then the `NAME.toml` files of `dsp_folder`; at least one profile is needed.
    static func readDSPs(_ root: TableReader, baseFolder: String, _ collector: ProblemCollector) -> [String: DSPProfile] {
        var dsps: [String: DSPProfile] = [:]
        if let t = root.table("dsp") {
            for name in t.table.keys.sorted() {
                guard let profileTable = t.table(name) else { continue }
                if let profile = DSPProfileReader.read(name: name, profileTable, baseFolder: baseFolder) { dsps[name] = profile }
            }
        }
        if let folder = root.string("dsp_folder") {
            readDSPFolder(root, resolve(folder, against: baseFolder), into: &dsps, collector)
        }
        if dsps.isEmpty { root.report(.configMissingKey, nil, "no DSP profile: add [dsp.NAME] tables or a dsp_folder with NAME.toml files") }
        return dsps
    }

    private static func readDSPFolder(_ root: TableReader, _ resolved: String, into dsps: inout [String: DSPProfile],
                                      _ collector: ProblemCollector) {
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

    /// The `[accounts.NAME]` tables; an account's inbound folder defaults to `<spool>/inbound/NAME`.
    static func readAccounts(_ root: TableReader, spool: SpoolSettings?, dsps: [String: DSPProfile],
                             baseFolder: String) -> [String: Account] {
        var accounts: [String: Account] = [:]
        guard let t = root.table("accounts", required: true) else { return accounts }
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
        return accounts
    }
}
