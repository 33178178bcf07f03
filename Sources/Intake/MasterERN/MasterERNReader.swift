import DDEXConfig
import DDEXModel
import Foundation
import XMLSupport

/// Reads a label's master DDEX ERN (a NewReleaseMessage, ERN 4.3 or 3.8.2) into the model.
///
/// The file is parsed by XMLSupport's safe reader (no DTD, no entities, size-capped by
/// `IntakeSettings.maxMetadataBytes`); the version is told by the root's namespace. Every problem is
/// collected (not only the first) and located as `master.xml:120: ReleaseList/Release/ReleaseId/ICPN`.
/// File paths are recorded as the ERN gives them (relative to the package root); whether the files
/// exist and match their declared hashes is the validator's job.
public struct MasterERNReader: MetadataReader {
    public static let ern43Namespace = "http://ddex.net/xml/ern/43"
    public static let ern382Namespace = "http://ddex.net/xml/ern/382"

    public init() {}

    /// Any top-level `*.xml` file.
    public func canRead(fileName: String) -> Bool {
        !fileName.contains("/") && fileName.lowercased().hasSuffix(".xml") && !fileName.hasPrefix(".")
    }

    public func read(fileAt url: URL, relativePath: String, settings: IntakeSettings) -> MetadataReadResult {
        let document: XMLDocument
        do {
            document = try XMLDocument.read(fileAt: url.path, name: relativePath,
                                            options: XMLReadOptions(maxBytes: settings.maxMetadataBytes))
        } catch {
            return MetadataReadResult(release: nil, problems: [error.problem()])
        }
        return read(document: document)
    }

    /// Maps an already parsed document (its `name` is used in problem locations).
    public func read(document: XMLDocument) -> MetadataReadResult {
        let log = MasterERNLog(file: document.name)
        let root = ERNNode(element: document.root, path: document.root.name)
        guard root.name == "NewReleaseMessage" else {
            log.error(.masterERNUnsupported, root,
                      "the root element is \(root.name); a master ERN must be an ERN 4.3 or 3.8.2 NewReleaseMessage")
            return MetadataReadResult(release: nil, problems: log.problems)
        }
        let release: Release?
        switch document.root.namespaceURI {
        case Self.ern43Namespace:
            release = ERN43Mapper(root: root, log: log).map()
        case Self.ern382Namespace:
            release = ERN382Mapper(root: root, log: log).map()
        case let other:
            log.error(.masterERNUnsupported, root,
                      "namespace '\(other ?? "none")' is not ERN 4.3 (\(Self.ern43Namespace)) or 3.8.2 (\(Self.ern382Namespace))")
            release = nil
        }
        return MetadataReadResult(release: release, problems: log.problems)
    }
}
