import ArgumentParser
import DDEXConfig
import DDEXModel
import Foundation

/// `ddexd check-config`: reports every configuration problem with file, line and key.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the configuration and the DSP profiles; report every problem with file, line and key.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let (configuration, problems) = ConfigurationLoader.check(path: global.configPath, spoolOverride: global.spool)
        switch format {
        case .json:
            let report = CheckConfigReport(valid: configuration != nil && !problems.hasErrors, file: global.configPath,
                                           dsps: configuration?.dsps.keys.sorted() ?? [],
                                           accounts: configuration?.accounts.keys.sorted() ?? [], problems: problems)
            print(try report.jsonString())
        case .text:
            for problem in problems { print(problem.description) }
            if let configuration, !problems.hasErrors {
                print("\(global.configPath): OK — \(configuration.dsps.count) DSP profile(s) (\(configuration.dsps.keys.sorted().joined(separator: ", "))), \(configuration.accounts.count) account(s), spool \(configuration.spool.root)")
            } else {
                print("\(global.configPath): \(problems.errors.count) error(s)")
            }
        }
        if configuration == nil || problems.hasErrors { throw ExitCode(1) }
    }
}

struct CheckConfigReport: Encodable {
    var valid: Bool
    var file: String
    var dsps: [String]
    var accounts: [String]
    var problems: [Problem]
}
