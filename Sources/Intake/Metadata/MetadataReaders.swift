import ERN

/// The metadata readers ddexd knows, tried in order for each candidate file at a package's top level.
public enum MetadataReaders {
    /// Every reader: `release.json`, then a master DDEX ERN 4.3 or 3.8.2 (`*.xml`), checked against `schemas`.
    public static func all(schemas: ERNSchemaSet) -> [any MetadataReader] {
        [ReleaseJSONReader(), MasterERNReader(schemas: schemas)]
    }
}
