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
        if let cover = release.cover {
            let file = cover.file
            switch self {
            case .ddex: names[file.path] = "\(id).\(file.fileExtension)"
            case .isrc: names[file.path] = "\(id)_cover.\(file.fileExtension)"
            case .original: names[file.path] = file.fileName
            }
        }
        for track in release.tracks {
            let file = track.file
            switch self {
            case .ddex: names[file.path] = "\(id)_\(Self.pad(track.disc, 2))_\(Self.pad(track.number, 3)).\(file.fileExtension)"
            case .isrc: names[file.path] = "\(track.isrc.value).\(file.fileExtension)"
            case .original: names[file.path] = file.fileName
            }
        }
        return names
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
