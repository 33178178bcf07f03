import Bundling
import DDEXConfig
import DDEXModel
import Foundation
import Intake

/// The answer to "will this package be delivered?": the package's own problems and, per target DSP, whether
/// that DSP would take the release (`DSPVerdict`, from the checks `ddexd build` makes).
///
/// `ddexd validate` prints it (`--format json`: this document) and the daemon writes it as a rejected
/// package's `<name>.report.json`, so the label hears the same thing from both.
public struct PackageVerdict: Sendable, Encodable {
    /// True only when the package is valid and every DSP judged would take it (`ddexd validate` exits 0).
    public var valid: Bool
    /// The package path as given.
    public var package: String
    /// The metadata file read, relative to the package root.
    public var metadataFile: String?
    public var release: ReleaseSummary?
    /// The package's own problems (metadata, splits, files); per-DSP ones are in `dsps`.
    public var problems: [Problem]
    /// Per DSP judged, by name.
    public var dsps: [String: DSPVerdict]

    public init(report: ValidationReport, verdicts: [DSPVerdict]) {
        package = report.package
        metadataFile = report.metadataFile
        release = report.release
        problems = report.problems
        dsps = Dictionary(verdicts.map { ($0.dsp, $0) }, uniquingKeysWith: { first, _ in first })
        if report.valid, verdicts.isEmpty {
            problems.append(.error(.dspNoTarget, at: report.package,
                                   "no enabled DSP profile is a target of this release, so it would go nowhere (configure or enable one, or name one in the release's dsps)"))
        }
        valid = !problems.hasErrors && verdicts.allSatisfy(\.deliverable)
    }

    /// Judges a validation report: every target DSP of a valid release (see `DSPVerdict.judge`), none otherwise.
    public static func judge(_ report: ValidationReport, account: String?, configuration: Configuration, builder: BundleBuilder,
                             only: [String]? = nil) -> PackageVerdict
    {
        guard report.valid, let validated = report.validated else { return PackageVerdict(report: report, verdicts: []) }
        return PackageVerdict(report: report, verdicts: DSPVerdict.judge(validated, account: account, configuration: configuration,
                                                                        builder: builder, only: only))
    }

    /// The DSPs that would take the release, by name.
    public var deliverableDSPs: [String] { dsps.values.filter(\.deliverable).map(\.dsp).sorted() }

    /// The DSPs that would refuse it, by name.
    public var refusingDSPs: [String] { dsps.values.filter { !$0.deliverable }.map(\.dsp).sorted() }

    /// The DSPs' problems (of the DSPs in `names`, or all) with the DSP's name in front of the location
    /// (`spotify: dsp.spotify: resources/cover.jpg`), as the store keeps them beside the package's own and the
    /// status file sorts them back per DSP.
    public func problemsPerDSP(of names: Set<String>? = nil) -> [Problem] {
        dsps.keys.sorted().filter { names?.contains($0) ?? true }.flatMap { name in
            dsps[name]!.problems.map { Problem($0.code, $0.severity, at: "\(name): \($0.location)", $0.message) }
        }
    }

    enum CodingKeys: String, CodingKey {
        case valid, package, metadataFile, release, problems, dsps
    }

    /// Absent values are written as `null`, so every key is always there for label systems to read.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(valid, forKey: .valid)
        try c.encode(package, forKey: .package)
        try c.encode(metadataFile, forKey: .metadataFile)
        try c.encode(release, forKey: .release)
        try c.encode(problems, forKey: .problems)
        try c.encode(dsps, forKey: .dsps)
    }
}
