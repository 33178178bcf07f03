import ArgumentParser
import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Intake

/// `ddexd validate PACKAGE`: checks a label package (folder or .zip) completely, changing nothing in it.
///
/// Exit status 0 when the package can be delivered (warnings allowed), 1 when it cannot.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate a label package (folder or .zip): metadata, identifiers, splits, paths, and every file's real format.",
        discussion: "Exits 0 when the package can be delivered, 1 when it cannot. Nothing in the package is changed; a zip is unpacked into a private temporary folder that is removed afterwards.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The package folder or .zip file.")
    var package: String

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        // A zip is unpacked into a scratch folder: removed on SIGINT/SIGTERM too, and after a SIGKILL at the next run.
        ScratchFolder.removeAllOnTerminationSignals()
        ScratchFolder.sweepAbandoned(purpose: "validate")
        let configuration = try global.loadConfiguration()
        let validator = PackageValidator(settings: configuration.intake, schemas: ERNSchemaSet(settings: configuration.schemas))
        let report = validator.validate(packageAt: URL(fileURLWithPath: package))
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(ValidateOutput(report)), as: UTF8.self))
        case .text:
            print(Self.text(report), terminator: "")
        }
        if !report.valid { throw ExitCode(1) }
    }

    static func text(_ report: ValidationReport) -> String {
        var out = "Package  \(report.package)\n"
        if let file = report.metadataFile { out += "Metadata \(file)\n" }
        if let r = report.release {
            let ids = [r.icpn.map { "ICPN \($0)" }, r.grid.map { "GRid \($0)" }, r.catalogNumber.map { "cat. \($0)" }].compactMap { $0 }
            out += "Release  \(r.title) — \(r.displayArtist)" + (ids.isEmpty ? "" : " (\(ids.joined(separator: ", ")))") + "\n"
            var facts = ["\(r.releaseType)", "\(r.tracks) track\(r.tracks == 1 ? "" : "s")"]
            if r.discs > 1 { facts.append("\(r.discs) discs") }
            if let d = r.duration { facts.append(d) }
            if let c = r.cover { facts.append("cover \(c)") }
            if let date = r.releaseDate { facts.append("release date \(date)") }
            facts.append("DSPs: " + (r.dsps?.joined(separator: ", ") ?? "all enabled"))
            if r.takedown { facts.append("TAKEDOWN") }
            out += "         \(facts.joined(separator: ", "))\n"
        }
        if !report.problems.isEmpty { out += "\n" }
        for p in report.problems {
            out += "\(p.severity == .error ? "error  " : "warning") \(p.code)  \(p.location)\n        \(p.message)\n"
        }
        let errors = report.problems.errors.count
        let warnings = report.problems.warnings.count
        let counts = "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        out += report.valid ? "\nVALID: the package can be delivered (\(counts))\n" : "\nNOT VALID: the package cannot be delivered (\(counts))\n"
        return out
    }
}

/// The JSON document `validate --format json` prints: exactly one object.
struct ValidateOutput: Encodable {
    var valid: Bool
    var package: String
    var metadataFile: String?
    var release: ReleaseSummary?
    var problems: [Problem]

    init(_ report: ValidationReport) {
        valid = report.valid
        package = report.package
        metadataFile = report.metadataFile
        release = report.release
        problems = report.problems
    }

    enum CodingKeys: String, CodingKey {
        case valid, package, metadataFile, release, problems
    }

    /// Absent values are written as `null`, so every key is always there for label systems to read.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(valid, forKey: .valid)
        try c.encode(package, forKey: .package)
        try c.encode(metadataFile, forKey: .metadataFile)
        try c.encode(release, forKey: .release)
        try c.encode(problems, forKey: .problems)
    }
}
