import Foundation

/// Another release made from a label package on disk: a copy with its own ICPN and ISRCs, and optionally other
/// audio, for tests and benchmarks that need many distinct releases.
public enum PackageVariant {
    /// Copies the package folder `source` to `path`, replaces every `resources/*.flac` with a copy of `flac` when
    /// given, and with `release` makes it another release: ICPN `release.icpn`, ISRCs `release.isrcPrefix`
    /// (7 characters) and the track number.
    public static func make(from source: String, at path: String, flac: String? = nil,
                            release: (icpn: String, isrcPrefix: String)? = nil) throws
    {
        try FileManager.default.copyItem(atPath: source, toPath: path)
        let resources = path + "/resources"
        if let flac {
            for name in try FileManager.default.contentsOfDirectory(atPath: resources) where name.hasSuffix(".flac") {
                try FileManager.default.removeItem(atPath: resources + "/" + name)
                try FileManager.default.copyItem(atPath: flac, toPath: resources + "/" + name)
            }
        }
        guard let release else { return }
        let url = URL(fileURLWithPath: path + "/release.json")
        guard var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              var tracks = json["tracks"] as? [[String: Any]]
        else { throw HarnessError("\(source)/release.json is not a release object") }
        json["icpn"] = release.icpn
        json.removeValue(forKey: "grid")
        for index in tracks.indices { tracks[index]["isrc"] = release.isrcPrefix + String(format: "%05d", index + 1) }
        json["tracks"] = tracks
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: url)
        // splits.csv names ISRCs of the original release: it would not match the new ones.
        try? FileManager.default.removeItem(atPath: path + "/splits.csv")
    }

    /// A valid GS1 ICPN (EAN-13) from twelve digits: the check digit appended.
    public static func icpn(_ twelveDigits: String) -> String {
        let sum = twelveDigits.enumerated().reduce(0) { total, item in
            total + Int(String(item.element))! * (item.offset % 2 == 0 ? 1 : 3)
        }
        return twelveDigits + String((10 - sum % 10) % 10)
    }
}
