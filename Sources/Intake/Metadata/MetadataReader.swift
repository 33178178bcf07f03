import DDEXConfig
import DDEXModel
import Foundation

/// What reading a package's metadata file produced: the release (when usable) and every problem found.
public struct MetadataReadResult: Sendable {
    public var release: Release?
    public var problems: [Problem]

    public init(release: Release?, problems: [Problem]) {
        self.release = release
        self.problems = problems
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
