import Foundation

/// A label package found in an inbound folder and marked complete.
public struct DiscoveredPackage: Sendable, Hashable {
    /// How the package arrived, which decides how it is claimed and read.
    public enum Kind: String, Sendable, Hashable {
        /// A folder holding `READY` at its top level.
        case folder
        /// `<name>.zip` next to `<name>.zip.ready`.
        case zip
    }

    /// The folder name, or the zip's name without `.zip`.
    public var name: String
    public var kind: Kind
    /// The folder or the zip file.
    public var url: URL
    /// The file whose presence says the package is complete (`<folder>/READY` or `<name>.zip.ready`).
    public var readyMarker: URL
}

/// Finds complete packages in an inbound drop folder (PACKAGE.md: "Where and when"). Reads only; moves nothing.
public enum PackageDiscovery {
    public static let readyFileName = "READY"
    public static let zipReadySuffix = ".ready"

    /// Complete packages directly inside `inbound`, by name. Hidden entries (`.name`, upload temporaries) and
    /// symbolic links are ignored: a package must really be in the drop folder.
    public static func scan(inbound: URL) throws -> [DiscoveredPackage] {
        let names = try FileManager.default.contentsOfDirectory(atPath: inbound.path)
        let set = Set(names)
        var found: [DiscoveredPackage] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let url = inbound.appendingPathComponent(name)
            switch fileType(url.path) {
            case .directory:
                if isFolderPackage(url) {
                    found.append(DiscoveredPackage(name: name, kind: .folder, url: url, readyMarker: url.appendingPathComponent(readyFileName)))
                }
            case .regular where name.lowercased().hasSuffix(".zip") && name.count > 4:
                if set.contains(name + zipReadySuffix) {
                    found.append(DiscoveredPackage(name: String(name.dropLast(4)), kind: .zip, url: url,
                                                   readyMarker: inbound.appendingPathComponent(name + zipReadySuffix)))
                }
            default:
                continue
            }
        }
        return found
    }

    /// True when `folder` holds a `READY` file at its top level.
    public static func isFolderPackage(_ folder: URL) -> Bool {
        fileType(folder.appendingPathComponent(readyFileName).path) == .regular
    }

    enum FileType { case regular, directory, symlink, other, missing }

    /// The type of the entry itself (a symbolic link is reported as such, not followed).
    static func fileType(_ path: String) -> FileType {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }
}
