import DDEXConfig
import DDEXModel

/// Folder and file names of a bundle (CHOREOGRAPHY.md §2-3).
///
/// - batch: `[P_|N_|L_]<BatchId>/<ReleaseId>/<ReleaseId>.xml`, `<ReleaseId>/resources/…`,
///   `BatchComplete_<BatchId>.xml` in the batch root.
/// - release-by-release: `<P|N|L>_<ReleaseId>_<BatchId>/<ReleaseId>.xml` + `resources/`; the profile's
///   prefix, `N` when it has none (the profile requires one).
public struct BundleLayout: Sendable, Hashable {
    public var choreography: Choreography
    public var batchId: String
    public var releaseId: String
    public var folderName: String
    /// Folder of the release inside the bundle folder, with trailing `/` (`""` for release-by-release).
    public var releaseFolder: String

    /// The names under the profile's choreography and priority prefix. `releaseId` and `batchId` are used as they
    /// are: check them with `isSafeName` first.
    public init(profile: DSPProfile, releaseId: String, batchId: String) {
        choreography = profile.choreography
        self.batchId = batchId
        self.releaseId = releaseId
        switch profile.choreography {
        case .batch:
            let prefix = profile.priorityPrefix == .none ? "" : profile.priorityPrefix.rawValue + "_"
            folderName = prefix + batchId
            releaseFolder = releaseId + "/"
        case .releaseByRelease:
            let prefix = profile.priorityPrefix == .none ? "N" : profile.priorityPrefix.rawValue
            folderName = "\(prefix)_\(releaseId)_\(batchId)"
            releaseFolder = ""
        }
    }

    /// The release message, relative to the bundle folder.
    public var messagePath: String { releaseFolder + releaseId + ".xml" }
    /// The resources folder, relative to the bundle folder, with trailing `/`.
    public var resourcesFolder: String { releaseFolder + "resources/" }
    /// The completion file of a batch, relative to the bundle folder.
    public var manifestPath: String? { choreography == .batch ? "BatchComplete_\(batchId).xml" : nil }

    /// Characters that cannot appear in a folder or file name ddexd creates from a release id.
    public static func isSafeName(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".." && s.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E
        }
    }
}
