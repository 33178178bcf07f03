import DDEXModel

/// Realistic synthetic releases for benchmarks, tests and dry runs: an album with an ICPN, a GRid,
/// ISRC'd tracks with measured FLAC details, a measured cover and worldwide plus territorial deals.
///
/// Digests are placeholders unless the caller passes the real ones (tests that bundle real files do).
public enum SyntheticRelease {
    public static let icpn = "0094631432057"
    public static let grid = "A12425GABC1234002M"

    /// An album of `trackCount` tracks (1…99) under `packageRoot`, files `resources/NN.flac` and `resources/cover.jpg`.
    ///
    /// - Parameters:
    ///   - digests: real digests by package-relative path; missing ones get deterministic fake values.
    ///   - audio: the measured audio details every track gets (default: FLAC 16-bit 44.1 kHz stereo, 3:25).
    ///   - cover: the measured cover (default: JPEG 3000×3000).
    public static func album(
        trackCount: Int = 12, packageRoot: String = "/nonexistent", digests: [String: FileDigest] = [:],
        audio: AudioDetails? = nil, cover: ImageDetails? = nil, deals: [Deal]? = nil, takedown: Bool = false
    ) throws -> ValidatedRelease {
        let count = min(max(trackCount, 1), 99)
        let label = "Example Records"
        let artist = Artist(name: "Saeko Shu", role: "MainArtist", isni: try ISNI(validating: "0000000121032683"))
        let featured = Artist(name: "Guest & \"Friends\"", role: "FeaturedArtist")
        var tracks: [Track] = []
        var resources: [String: MeasuredResource] = [:]
        let audioDetails = audio ?? AudioDetails(codec: .flac, container: "FLAC", sampleRate: 44100, bitsPerSample: 16,
                                                 channels: 2, totalSamples: 9_040_500,
                                                 duration: ISODuration(samples: 9_040_500, sampleRate: 44100))
        for n in 1...count {
            let nn = n < 10 ? "0\(n)" : "\(n)"
            let path = "resources/\(nn).flac"
            let file = ResourceFile(path: path)
            let isrc = try ISRC(validating: "JPTO094049\(nn)")
            tracks.append(Track(
                isrc: isrc, title: n == 2 ? "Yume no Hajimari <Intro> & Kaze" : "Track \(n) – 夢のララバイ",
                subtitle: n == 3 ? "Remastered" : nil,
                displayArtist: n == 4 ? "Saeko Shu feat. Guest & \"Friends\"" : "Saeko Shu",
                artists: n == 4 ? [artist, featured] : [artist],
                contributors: [Contributor(name: "Kazuo Composer", role: "Composer")],
                iswc: n == 1 ? try ISWC(validating: "T0345246801") : nil,
                disc: 1, number: n, file: file,
                pLine: RightsLine(year: 1994, text: "(P) 1994 \(label)")))
            let digest = digests[path] ?? fakeDigest(seed: n)
            resources[path] = MeasuredResource(file: file, kind: .audio(audioDetails), digest: digest)
        }
        let coverFile = ResourceFile(path: "resources/cover.jpg")
        resources[coverFile.path] = MeasuredResource(
            file: coverFile, kind: .image(cover ?? ImageDetails(codec: .jpeg, width: 3000, height: 3000, components: 3, bitDepth: 8)),
            digest: digests[coverFile.path] ?? fakeDigest(seed: 1000))
        let start = try PartialDate(validating: "2025-04-04")
        let defaultDeals = [
            Deal(territories: TerritorySet(included: [.worldwide]),
                 commercialModels: ["SubscriptionModel", "AdvertisementSupportedModel"],
                 useTypes: ["OnDemandStream", "NonInteractiveStream"], start: start),
            Deal(territories: TerritorySet(included: [try Territory(validating: "JP"), try Territory(validating: "GB")]),
                 commercialModels: ["PayAsYouGoModel"], useTypes: ["PermanentDownload"], start: start,
                 end: try PartialDate(validating: "2030-12-31")),
        ]
        let release = Release(
            icpn: try ICPN(validating: icpn), grid: try GRid(validating: grid), catalogNumber: "EX-0001",
            title: "Yume no Hajimari", subtitle: nil, displayArtist: "Saeko Shu", artists: [artist], label: label,
            pLine: RightsLine(year: 1994, text: "(P) 1994 \(label)"), cLine: RightsLine(year: 1994, text: "(C) 1994 \(label)"),
            genre: "J-Pop", subGenre: "City Pop", releaseType: count < 4 ? "Single" : "Album",
            releaseDate: start, originalReleaseDate: try PartialDate(validating: "1994-03-21"),
            parentalWarning: "NotExplicit", language: try LanguageTag(validating: "en"),
            cover: ImageResource(type: "FrontCoverImage", file: coverFile), tracks: tracks,
            deals: deals ?? defaultDeals, takedown: takedown)
        return ValidatedRelease(release: release, resources: resources, packageRoot: packageRoot)
    }

    /// Deterministic 32/64 hex-character placeholders.
    public static func fakeDigest(seed: Int) -> FileDigest {
        var x = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15
        var hex = ""
        for _ in 0..<4 {
            x ^= x >> 29
            x = x &* 0xBF58_476D_1CE4_E5B9
            let s = String(x, radix: 16)
            hex += String(repeating: "0", count: 16 - s.count) + s
        }
        return FileDigest(size: 30_000_000 + UInt64(seed), md5: String(hex.prefix(32)), sha256: hex)
    }
}
