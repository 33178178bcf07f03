import DDEXConfig
import DDEXModel
import DDEXRuntime
import Foundation
import XMLSupport

/// The official XSDs ddexd validates its output against, compiled once and shared.
///
/// Compiling the ERN 4.3 schema (with its 3 MB allowed-value sets) takes a noticeable fraction of a
/// second, so each schema is compiled on first use and kept; `XSDSchema` validations may run concurrently.
public final class ERNSchemaSet: Sendable {
    public let settings: SchemaSettings
    private let cache = Locked<[String: XSDSchema]>([:])

    /// A set reading the XSDs from `settings`' folders; nothing is read or compiled until a schema is first asked for.
    public init(settings: SchemaSettings) {
        self.settings = settings
    }

    /// The NewReleaseMessage/PurgeReleaseMessage schema of an ERN version.
    public func schema(for version: ERNVersion) throws -> XSDSchema {
        try load(version == .ern43 ? settings.ern43 : settings.ern382)
    }

    /// The `ern-c-sftp/18` choreography schema (ManifestMessage).
    public func choreography() throws -> XSDSchema {
        try load(settings.choreography)
    }

    private func load(_ path: String) throws -> XSDSchema {
        try cache.withLock { cache in
            if let schema = cache[path] { return schema }
            let schema = try XSDSchema(path: path)
            cache[path] = schema
            return schema
        }
    }

    /// Validates a written file; every issue becomes an `ERN_XSD_INVALID` problem (a schema that does not
    /// load is one too: nothing unvalidated may be published).
    public func problems(validatingFileAt path: String, against schema: () throws -> XSDSchema, location: String) -> [Problem] {
        let compiled: XSDSchema
        do {
            compiled = try schema()
        } catch {
            return [.error(.ernXSDInvalid, at: location, "the schema could not be loaded: \(error)")]
        }
        return compiled.validate(fileAt: path).map {
            .error(.ernXSDInvalid, at: "\(location):\($0.line)", $0.message)
        }
    }
}
