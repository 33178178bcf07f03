/// The metadata readers ddexd knows, tried in order for each candidate file at a package's top level.
public enum MetadataReaders {
    /// Every reader: `release.json`; the master-ERN reader joins here.
    public static let all: [any MetadataReader] = [ReleaseJSONReader()]
}
