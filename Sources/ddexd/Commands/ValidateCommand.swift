import ArgumentParser
import Bundling
import Daemon
import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Intake

/// `ddexd validate PACKAGE`: will this package be delivered? Checks the package completely, then judges it
/// against every DSP it would go to, with the checks `ddexd build` makes, changing nothing in it.
///
/// Exit status 0 only when the package is valid and every target DSP would take it (warnings allowed), 1 when not.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Will this package be delivered? Validates a label package (folder or .zip) and judges it against each DSP it goes to.",
        discussion: """
            The package's metadata, identifiers, splits, paths and every file's real format are checked, then each target DSP's \
            profile (cover size and format, audio formats, bit depths, rates, territories, the ERN message it would get), with \
            the checks ddexd build makes. Targets: the release's own dsps list, else the account's, else every enabled DSP; \
            --dsp narrows them. Exits 0 only when every target DSP would take the package, 1 when not. Nothing in the package \
            is changed; a zip is unpacked into a private temporary folder that is removed afterwards (on SIGINT and SIGTERM too).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The package folder or .zip file.")
    var package: String

    @Option(help: "Judge only this DSP (repeatable). It must be a target of the release.")
    var dsp: [String] = []

    @Option(help: "The account the package belongs to (its dsps list narrows the targets). Default: the account whose inbound folder holds the package.")
    var account: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        // A zip is unpacked into a scratch folder: removed on SIGINT/SIGTERM too, and after a SIGKILL at the next run.
        ScratchFolder.removeAllOnTerminationSignals()
        ScratchFolder.sweepAbandoned(purpose: "validate")
        let configuration = try global.loadConfiguration()
        if let account, configuration.accounts[account] == nil {
            throw ValidationError("no account named '\(account)' (configured: \(configuration.accounts.keys.sorted().joined(separator: ", ")))")
        }
        let url = URL(fileURLWithPath: package)
        let schemas = ERNSchemaSet(settings: configuration.schemas)
        let report = PackageValidator(settings: configuration.intake, schemas: schemas).validate(packageAt: url)
        ScratchFolder.yieldToTermination()
        let verdict = PackageVerdict.judge(report, account: account ?? Self.account(holding: url, in: configuration),
                                           configuration: configuration,
                                           builder: BundleBuilder(sender: configuration.sender, schemas: schemas),
                                           only: dsp.isEmpty ? nil : dsp)
        switch format {
        case .json: print(try verdict.jsonString())
        case .text: print(Self.text(verdict), terminator: "")
        }
        if !verdict.valid { throw ExitCode(1) }
    }

    /// The account whose inbound folder the package was dropped in, if any.
    static func account(holding package: URL, in configuration: Configuration) -> String? {
        let path = package.standardizedFileURL.path
        return configuration.accounts.values.first { path.hasPrefix(URL(fileURLWithPath: $0.inbound).standardizedFileURL.path + "/") }?.name
    }

    static func text(_ verdict: PackageVerdict) -> String {
        var out = "Package  \(verdict.package)\n"
        if let file = verdict.metadataFile { out += "Metadata \(file)\n" }
        if let r = verdict.release {
            let ids = [r.icpn.map { "ICPN \($0)" }, r.grid.map { "GRid \($0)" }, r.catalogNumber.map { "cat. \($0)" }].compactMap { $0 }
            out += "Release  \(r.title) — \(r.displayArtist)" + (ids.isEmpty ? "" : " (\(ids.joined(separator: ", ")))") + "\n"
            var facts = ["\(r.releaseType)", "\(r.tracks) track\(r.tracks == 1 ? "" : "s")"]
            if r.discs > 1 { facts.append("\(r.discs) discs") }
            if let d = r.duration { facts.append(d) }
            if let c = r.cover { facts.append("cover \(c)") }
            if let date = r.releaseDate { facts.append("release date \(date)") }
            if r.takedown { facts.append("TAKEDOWN") }
            out += "         \(facts.joined(separator: ", "))\n"
        }
        if !verdict.problems.isEmpty { out += "\n" }
        for p in verdict.problems { out += p.textLines() }
        if !verdict.dsps.isEmpty { out += "\n" }
        let width = verdict.dsps.keys.map(\.count).max() ?? 0
        for (name, dsp) in verdict.dsps.sorted(by: { $0.key < $1.key }) {
            let ern = dsp.ernVersion.map { ", ERN \($0)" } ?? ""
            out += "DSP \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(dsp.deliverable ? "would take it" : "would REFUSE it")\(ern)\n"
            for p in dsp.problems { out += p.textLines(indent: "    ") }
        }
        let errors = verdict.problems.errors.count + verdict.dsps.values.reduce(0) { $0 + $1.problems.errors.count }
        let warnings = verdict.problems.warnings.count + verdict.dsps.values.reduce(0) { $0 + $1.problems.warnings.count }
        let counts = "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        if verdict.valid {
            out += "\nVALID: the package will be delivered to \(verdict.deliverableDSPs.joined(separator: ", ")) (\(counts))\n"
        } else if verdict.problems.hasErrors {
            out += "\nNOT VALID: the package cannot be delivered (\(counts))\n"
        } else {
            let taking = verdict.deliverableDSPs.isEmpty ? "no DSP would take it" : "only \(verdict.deliverableDSPs.joined(separator: ", ")) would take it"
            out += "\nNOT DELIVERABLE: \(verdict.refusingDSPs.joined(separator: ", ")) would refuse the package; \(taking) (\(counts))\n"
        }
        return out
    }
}
