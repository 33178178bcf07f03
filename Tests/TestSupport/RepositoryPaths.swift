import Foundation

/// Paths of the repository and of `../shared`, found from this source file so tests run from any folder.
public enum RepositoryPaths {
    /// The repository root (the folder holding Package.swift).
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static var fixtures: URL { root.appendingPathComponent("Fixtures") }
    public static var config: URL { root.appendingPathComponent("Config") }
    /// `../shared` beside the repository: official DDEX schemas, samples and tools.
    public static var shared: URL { root.deletingLastPathComponent().appendingPathComponent("shared") }
    public static var xsd: URL { shared.appendingPathComponent("ddex/xsd") }
    public static var samples: URL { shared.appendingPathComponent("ddex/samples") }
    public static var dsrgen: URL { shared.appendingPathComponent("tools/dsrgen.py") }
}
