import DDEXModel
import Foundation

/// Reads `ddexd.toml` into a validated `Configuration`, reporting every error with file, line and key.
public enum ConfigurationLoader {
    public static func load(path: String, spoolOverride: String? = nil) throws -> Configuration {
        throw ConfigurationError(problems: [.error("CONFIG_UNAVAILABLE", at: path, "configuration loading is not written yet")])
    }
}

/// Every problem found in a configuration file.
public struct ConfigurationError: CodedError {
    public var problems: [Problem]
    public var code: String { problems.first?.code.rawValue ?? "CONFIG_INVALID" }
    public var description: String { problems.map(\.description).joined(separator: "\n") }

    public init(problems: [Problem]) { self.problems = problems }
}
