import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Media

/// Validates a label package completely, reporting every problem in one pass.
///
/// It reads the metadata with the first matching `MetadataReader`, merges `splits.csv`, checks every resource
/// path, measures every resource with one read per file (`MediaInspector`), and checks the files against the
/// metadata. It never changes, moves or follows anything outside the package; a folder package is left exactly
/// as it was, and a zip is unpacked into a private temporary folder that is removed afterwards (unless the
/// caller gives a work folder to keep it in).
///
/// Generic checks only: DSP-specific rules (cover sizes and formats per DSP, bit depths, WAV format tags)
/// are the bundler's. The one exception is a cover under `minimumCoverPixels` on a side (640 by default, the
/// smallest any known DSP takes), reported as a warning so the label hears about it at once.
public struct PackageValidator: Sendable {
    public var settings: IntakeSettings
    public var readers: [any MetadataReader]
    public var minimumCoverPixels: UInt32
    /// Declared and measured durations may differ by this much before a warning.
    public var durationTolerance: ISODuration

    /// `schemas` checks master ERNs (pass the set the bundler uses, so each XSD is compiled once); `readers`
    /// defaults to `MetadataReaders.all(schemas:)`.
    public init(settings: IntakeSettings = IntakeSettings(), schemas: ERNSchemaSet, readers: [any MetadataReader]? = nil,
                minimumCoverPixels: UInt32 = 640, durationTolerance: ISODuration = ISODuration(milliseconds: 1000))
    {
        self.settings = settings
        self.readers = readers ?? MetadataReaders.all(schemas: schemas)
        self.minimumCoverPixels = minimumCoverPixels
        self.durationTolerance = durationTolerance
    }

    /// Validates a folder package or a `.zip` package.
    ///
    /// For a zip, `workFolder` (created, must be empty) receives the unpacked files and stays (emptied again
    /// when the zip is refused); without it the files go to a `ScratchFolder` removed before returning, so
    /// `validated.packageRoot` then names a folder that no longer exists.
    public func validate(packageAt url: URL, workFolder: URL? = nil) -> ValidationReport {
        let display = url.path
        switch PackageDiscovery.fileType(url.path) {
        case .directory:
            return validateFolder(url, displayName: display, expectReady: true)
        case .symlink:
            guard let real = PackagePathResolver.realPath(url.path) else { break }
            return validate(packageAt: URL(fileURLWithPath: real), workFolder: workFolder)
        case .regular where url.pathExtension.lowercased() == "zip":
            var scratch: ScratchFolder?
            if workFolder == nil {
                do {
                    scratch = try ScratchFolder.make(purpose: "validate")
                } catch {
                    return ValidationReport(valid: false, package: display, problems: [
                        .error(.zipUnreadable, at: display, "cannot create a temporary folder to unpack into: \(error)"),
                    ])
                }
            }
            defer { scratch?.remove() }
            let destination = workFolder ?? scratch!.url
            let unpacked = ZipPackageUnpacker(settings: settings).unpack(zipAt: url, into: destination, displayName: url.lastPathComponent)
            guard let root = unpacked.root else {
                return ValidationReport(valid: false, package: display, problems: unpacked.problems)
            }
            return validateFolder(root, displayName: display, expectReady: false)
        default:
            break
        }
        return ValidationReport(valid: false, package: display, problems: [
            .error(.packageNotFound, at: display, "not a package: expected a folder or a .zip file"),
        ])
    }

    /// Validates a package folder. `expectReady` adds a warning when `READY` is missing.
    public func validateFolder(_ folder: URL, displayName: String, expectReady: Bool = true) -> ValidationReport {
        guard let resolver = PackagePathResolver(root: folder) else {
            return ValidationReport(valid: false, package: displayName, problems: [
                .error(.packageNotFound, at: displayName, "the package folder does not exist"),
            ])
        }
        var run = ValidationRun(validator: self, resolver: resolver, displayName: displayName)
        return run.validate(expectReady: expectReady)
    }
}
