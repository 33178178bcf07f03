import ArgumentParser
import DDEXConfig
import Foundation

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: Config/ddexd.toml in the working folder, else /etc/ddexd/ddexd.toml).")
    var config: String?

    @Option(name: .long, help: "Spool folder, overriding the configured one.")
    var spool: String?

    /// The configuration file this invocation uses.
    var configPath: String {
        if let config { return config }
        let local = FileManager.default.currentDirectoryPath + "/Config/ddexd.toml"
        return FileManager.default.fileExists(atPath: local) ? local : "/etc/ddexd/ddexd.toml"
    }

    /// Loads and validates the configuration, applying `--spool`.
    func loadConfiguration() throws -> Configuration {
        try ConfigurationLoader.load(path: configPath, spoolOverride: spool)
    }
}
