import ArgumentParser
import Bundling
import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Intake

/// `ddexd build PACKAGE --dsp NAME --out DIR`: validates a package and builds one DSP's bundle into DIR.
///
/// The bundle folder lands in DIR (`DIR/<BatchId>/…` for a batch DSP, `DIR/<P|N|L>_<ReleaseId>_<stamp>/…`
/// release-by-release) with its description `DIR/<folder>.bundle.json` beside it. Every XML is validated
/// against the configured XSDs before the folder appears. Exit 0 with the bundle in DIR, 1 with the problems.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Validate a package and build the ERN bundle for one DSP into a folder.",
        discussion: "Exits 0 when the bundle was built, 1 with the problems when it could not be. The package is not changed; resources are hard-linked (or copied) into the bundle.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The package folder or .zip file.")
    var package: String

    @Option(help: "The DSP profile to build for (a name from the configuration).")
    var dsp: String

    @Option(help: "The folder to build the bundle into (created if needed).")
    var out: String

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let configuration = try global.loadConfiguration()
        guard let profile = configuration.dsps[dsp] else {
            let known = configuration.dsps.keys.sorted().joined(separator: ", ")
            return try finish(BuildOutput(problems: [
                .error(.dspUnknown, at: global.configPath, "no DSP profile named \(dsp) (configured: \(known))"),
            ]))
        }

        // A zip is unpacked into a scratch folder that must outlive validation: the bundle links its files.
        ScratchFolder.removeAllOnTerminationSignals()
        ScratchFolder.sweepAbandoned(purpose: "build")
        let packageURL = URL(fileURLWithPath: package)
        let scratch = packageURL.pathExtension.lowercased() == "zip" ? try ScratchFolder.make(purpose: "build") : nil
        defer { scratch?.remove() }

        let schemas = ERNSchemaSet(settings: configuration.schemas)
        let report = PackageValidator(settings: configuration.intake, schemas: schemas).validate(packageAt: packageURL, workFolder: scratch?.url)
        ScratchFolder.yieldToTermination()
        guard report.valid, let validated = report.validated else {
            return try finish(BuildOutput(release: report.release, problems: report.problems))
        }
        let builder = BundleBuilder(sender: configuration.sender, schemas: schemas)
        let outFolder = URL(fileURLWithPath: out).standardizedFileURL.path
        let result = builder.build(validated, for: profile, into: outFolder)
        try finish(BuildOutput(release: report.release, problems: report.problems + result.problems, bundle: result.bundle))
    }

    private func finish(_ output: BuildOutput) throws {
        switch format {
        case .json: print(try output.jsonString())
        case .text: print(output.text, terminator: "")
        }
        if !output.valid { throw ExitCode(1) }
    }
}

/// What `build --format json` prints: the `validate --format json` shape plus the bundle when one was built.
struct BuildOutput: Encodable {
    var valid: Bool
    var release: ReleaseSummary?
    var problems: [Problem]
    var bundle: DeliveryBundle?

    init(release: ReleaseSummary? = nil, problems: [Problem], bundle: DeliveryBundle? = nil) {
        valid = bundle != nil && !problems.hasErrors
        self.release = release
        self.problems = problems
        self.bundle = bundle
    }

    var text: String {
        var out = ""
        if let r = release { out += "Release  \(r.title) — \(r.displayArtist)\n" }
        for p in problems { out += p.textLines() }
        if let bundle, valid {
            out += "BUILT: \(bundle.folder) (\(bundle.dsp), ERN \(bundle.ernVersion.rawValue), \(bundle.messageType), "
                + "\(bundle.files.count) files, \(bundle.totalBytes) bytes)\n"
            for f in bundle.files { out += "  \(f.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(f.path)  \(f.size)\n" }
        } else {
            out += "NOT BUILT: \(problems.errors.count) error\(problems.errors.count == 1 ? "" : "s")\n"
        }
        return out
    }
}
