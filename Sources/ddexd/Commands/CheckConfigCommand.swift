import ArgumentParser
import DDEXConfig
import DDEXModel
import Delivery
import Foundation

/// `ddexd check-config`: reports every configuration problem with file, line and key; with `[store] kind =
/// "postgresql"`, connects to the database and reports a refused connection, a refused password or a schema it
/// cannot use with its code; with `--probe DSP`, also connects to that DSP's server and reports what it is
/// (writing nothing).
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the configuration and the DSP profiles; report every problem with file, line and key.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Also connect to this DSP's SFTP server, log in, list the drop box and report the server: "
        + "algorithms, SFTP version and extensions, limits, window, how files are placed. Writes nothing.",
        valueName: "DSP"))
    var probe: String?

    func run() throws {
        let (configuration, problems) = ConfigurationLoader.check(path: global.configPath, spoolOverride: global.spool)
        let valid = configuration != nil && !problems.hasErrors
        let store = valid ? configuration.map(StoreCheck.init) : nil
        var probed: Result<TransportProbe, TransportError>?
        var probeProblem: String?
        if valid, let configuration, let name = probe {
            if let profile = configuration.dsps[name] {
                if profile.transport.kind == .sftp {
                    do {
                        probed = .success(try SFTPTransport(settings: profile.transport).probe())
                    } catch let error as TransportError {
                        probed = .failure(error)
                    }
                } else {
                    probeProblem = "\(name) delivers into the local folder \(profile.transport.remoteRoot): there is no server to probe"
                }
            } else {
                probeProblem = "no DSP profile named \(name) (profiles: \(configuration.dsps.keys.sorted().joined(separator: ", ")))"
            }
        }
        switch format {
        case .json:
            let report = CheckConfigReport(valid: valid, file: global.configPath,
                                           dsps: configuration?.dsps.keys.sorted() ?? [],
                                           accounts: configuration?.accounts.keys.sorted() ?? [], problems: problems,
                                           store: store,
                                           probe: try? probed?.get(),
                                           probeError: probeProblem.map { .init(code: "PROBE_NO_SERVER", message: $0) }
                                               ?? probed.flatMap { result in
                                                   if case let .failure(error) = result {
                                                       return .init(code: error.code, message: error.description)
                                                   }
                                                   return nil
                                               })
            print(try report.jsonString())
        case .text:
            for problem in problems { print(problem.description) }
            if let configuration, !problems.hasErrors {
                print("\(global.configPath): OK — \(configuration.dsps.count) DSP profile(s) (\(configuration.dsps.keys.sorted().joined(separator: ", "))), \(configuration.accounts.count) account(s), spool \(configuration.spool.root)")
            } else {
                print("\(global.configPath): \(problems.errors.count) error(s)")
            }
            if let store { print(store.line) }
            if let probeProblem { print("probe: \(probeProblem)") }
            switch probed {
            case let .success(report): print(ProbeText.render(report))
            case let .failure(error): print("probe \(probe ?? ""): \(error.description)")
            case nil: break
            }
        }
        if !valid { throw ExitCode(1) }
        if store?.error != nil { throw ExitCode(1) }
        if probeProblem != nil { throw ExitCode(1) }
        if case .failure = probed { throw ExitCode(1) }
    }
}

struct CheckConfigReport: Encodable {
    struct ProbeError: Encodable {
        var code: String
        var message: String
    }

    var valid: Bool
    var file: String
    var dsps: [String]
    var accounts: [String]
    var problems: [Problem]
    /// The store: its kind, and for PostgreSQL whether it answers and its schema version.
    var store: StoreCheck?
    var probe: TransportProbe?
    var probeError: ProbeError?
}
