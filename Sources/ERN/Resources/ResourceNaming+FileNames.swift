import DDEXConfig
import DDEXModel

extension ResourceNaming {
    /// The file name each resource of `release` gets inside a bundle's `resources/` folder, keyed by its
    /// package-relative path.
    ///
    /// - `ddex`: `<ICPN>_<disc, 2 digits>_<track, 3 digits>.<ext>` for audio, `<ICPN>.<ext>` for the cover
    ///   (the naming of the official "1 Audio" sample: `0094631432057_01_001.wav`, `0094631432057.jpg`).
    /// - `isrc`: `<ISRC>.<ext>`, cover `<ICPN>_cover.<ext>`.
    /// - `original`: the label's own file name.
    ///
    /// Without an ICPN the release's primary id (GRid, catalogue number…) stands in. Extensions are lower case.
    public func fileNames(for release: Release) -> [String: String] {
        let id = release.primaryId
        var names: [String: String] = [:]
        names.reserveCapacity(release.tracks.count + 1)
        if let cover = release.cover {
            let file = cover.file
            switch self {
            case .ddex: names[file.path] = id + Self.dotExtension(file.path)
            case .isrc: names[file.path] = id + "_cover" + Self.dotExtension(file.path)
            case .original: names[file.path] = Self.lastComponent(file.path)
            }
        }
        for track in release.tracks {
            let file = track.file
            switch self {
            case .ddex: names[file.path] = id + "_" + Self.pad(track.disc, 2) + "_" + Self.pad(track.number, 3) + Self.dotExtension(file.path)
            case .isrc: names[file.path] = track.isrc.value + Self.dotExtension(file.path)
            case .original: names[file.path] = Self.lastComponent(file.path)
            }
        }
        return names
    }

    // These run for every resource of every message, so they scan UTF-8 instead of splitting strings
    // (`ResourceFile.fileName`/`fileExtension` split the path: a seventh of the ERN benchmark's time).

    /// The last `/`-separated component of `path`.
    static func lastComponent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    /// `.ext` in lower case for the last component of `path`, or `""` when it has no extension.
    static func dotExtension(_ path: String) -> String {
        let utf8 = path.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")) else { return "" }
        if let slash = utf8.lastIndex(of: UInt8(ascii: "/")), slash > dot { return "" }
        let ext = path[dot...]
        return ext.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? ext.lowercased() : String(ext)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
