import DDEXConfig
import DDEXModel
import Foundation

/// What reading a package's metadata file produced: the release (when usable) and every problem found.
public struct MetadataReadResult: Sendable {
    public var release: Release?
    public var problems: [Problem]
    /// Resource files named by parts of the metadata that could not be read into `release` (a track with a
    /// bad ISRC), so the validator still checks them and reports every problem in one pass.
    public var unmodelledResources: [ResourceFile]

    public init(release: Release?, problems: [Problem], unmodelledResources: [ResourceFile] = []) {
        self.release = release
        self.problems = problems
        self.unmodelledResources = unmodelledResources
    }
}

/// A reader for one kind of package metadata file (`release.json`, a master ERN).
///
/// Readers find every problem in one pass; they never stop at the first. Problem locations start with
/// the file's package-relative path (`release.json: tracks[1].isrc`, `master.xml:120: SoundRecording[2]/…`).
public protocol MetadataReader: Sendable {
    /// True when this reader handles a file of this name at the package's top level.
    func canRead(fileName: String) -> Bool
    /// Reads the metadata file into the model. `release` is nil when nothing usable could be read.
    func read(fileAt url: URL, relativePath: String, settings: IntakeSettings) -> MetadataReadResult
}
