import Foundation

/// Paths inside the repository, found from this source file so tests run from any folder.
///
/// Tests read only what the repository holds: the shipped DDEX schemas (`Config/ddex-xsd`), the official
/// samples (`Fixtures/ddex-samples`) and the golden reports (`Fixtures/dsrgen`, see `GoldenReport`).
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
    /// The official DDEX XSDs that ship with ddexd (`ern43/`, `ern382/`, `ern-c-sftp18/`).
    public static var xsd: URL { config.appendingPathComponent("ddex-xsd") }
    /// Official DDEX sample messages (`ern43/`) and sample DSR reports (`dsr/`).
    public static var samples: URL { fixtures.appendingPathComponent("ddex-samples") }
}
