import DDEXConfig
import DDEXModel
import ERN

/// What one DSP's profile refuses in a release that passed validation.
///
/// The problems belong to that DSP only: the caller still builds bundles for the others. Takedowns are
/// exempt from the media and deal rules (a DSP must be able to take a release down whatever its files are).
public enum DSPSuitability {
    /// Why this DSP would refuse the release, located under `dsp.<name>`; empty when it would take it.
    public static func problems(for validated: ValidatedRelease, profile: DSPProfile) -> [Problem] {
        let release = validated.release
        guard !release.takedown else { return [] }
        var problems: [Problem] = []
        let dsp = profile.name
        func refuse(_ code: ProblemCode, _ location: String, _ message: String) {
            problems.append(.error(code, at: "dsp.\(dsp): \(location)", message))
        }

        if let cover = release.cover {
            if let image = validated.measured(cover.file)?.image {
                let path = cover.file.path
                let (w, h) = (Int(image.width), Int(image.height))
                if !profile.coverFormats.contains(image.codec) {
                    refuse(.dspCoverFormatRefused, path, "\(dsp) takes cover art as \(profile.coverFormats.map(\.rawValue).joined(separator: " or ")), this cover is \(image.codec.rawValue)")
                }
                if min(w, h) < profile.coverMinPixels {
                    refuse(.dspCoverTooSmall, path, "the cover is \(w)×\(h) px; \(dsp) needs at least \(profile.coverMinPixels) px on each side")
                }
                if let maxPixels = profile.coverMaxPixels, max(w, h) > maxPixels {
                    refuse(.dspCoverTooLarge, path, "the cover is \(w)×\(h) px; \(dsp) takes at most \(maxPixels) px on each side")
                }
                if profile.coverMustBeSquare, w != h {
                    refuse(.dspCoverNotSquare, path, "the cover is \(w)×\(h) px; \(dsp) needs a square cover")
                }
            }
        } else {
            refuse(.dspCoverMissing, "release.cover", "\(dsp) needs a front cover image and the release has none")
        }

        for track in release.tracks {
            guard let audio = validated.measured(track.file)?.audio else { continue }
            let path = track.file.path
            if !profile.audioFormats.contains(audio.codec) {
                refuse(.dspAudioFormatRefused, path, "\(dsp) takes audio as \(profile.audioFormats.map(\.rawValue).joined(separator: " or ")), this file is \(audio.codec.rawValue)")
            }
            if !profile.audioBitDepths.contains(Int(audio.bitsPerSample)) {
                refuse(.dspAudioBitDepthRefused, path, "the file is \(audio.bitsPerSample)-bit; \(dsp) takes \(profile.audioBitDepths.map(String.init).joined(separator: ", "))-bit audio")
            }
            if !profile.audioSampleRates.contains(Int(audio.sampleRate)) {
                refuse(.dspAudioSampleRateRefused, path, "the file is sampled at \(audio.sampleRate) Hz; \(dsp) takes \(profile.audioSampleRates.map(String.init).joined(separator: ", ")) Hz")
            }
            if profile.wavRequirePCMFormatTag, audio.container.uppercased() == "WAV", let tag = audio.wavFormatTag, tag != 1 {
                refuse(.dspWAVExtensibleRefused, path, "the WAV format tag is 0x\(String(tag, radix: 16, uppercase: true)) (WAVE_FORMAT_EXTENSIBLE); \(dsp) takes WAVE_FORMAT_PCM (0x0001) only")
            }
        }

        if DealFilter.deals(release.deals, for: profile).isEmpty {
            let inTerritories = release.deals.contains { $0.territories.intersection(profile.territories) != nil }
            let why = inTerritories
                ? "no deal offers a commercial model and use type \(dsp) accepts"
                : "no deal covers a territory \(dsp) serves"
            refuse(.dspNoDealInTerritories, "release.deals", "\(why); sending the release would make it unavailable there")
        }
        return problems
    }
}
