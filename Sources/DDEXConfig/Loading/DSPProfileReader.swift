import DDEXModel

/// Reads one DSP profile table (`[dsp.NAME]` or a `dsps/NAME.toml` file).
enum DSPProfileReader {
    static func read(name: String, _ t: TableReader, baseFolder: String) -> DSPProfile? {
        typealias D = DSPProfile.Defaults
        defer { t.rejectUnknownKeys() }
        let dpid = t.parsed("recipient_dpid", required: true) { (s: String) throws(IdentifierError) in try DPID(validating: s) }
        let recipientName = t.string("recipient_name", required: true)
        let enabled = t.bool("enabled") ?? D.enabled
        let ern = t.choice("ern_version", default: D.ernVersion)
        let choreography = t.choice("choreography", default: D.choreography)
        let prefix = t.choice("priority_prefix", default: D.priorityPrefix)
        let included = territories(t, "territories") ?? D.territories
        let excluded = territories(t, "excluded_territories") ?? []
        let models = allowed(t, "commercial_models", AllowedValues.commercialModelTypes)
        let useTypes = allowed(t, "use_types", AllowedValues.useTypes)
        let hashes = hashAlgorithms(t, ern: ern)
        let naming = t.choice("resource_naming", default: D.resourceNaming)
        let cover = coverRules(t)
        let audioFormats = audioFormats(t)
        let bitDepths = t.intArray("audio_bit_depths") ?? D.audioBitDepths
        let rates = t.intArray("audio_sample_rates") ?? D.audioSampleRates
        let pcmTag = t.bool("wav_require_pcm_format_tag") ?? D.wavRequirePCMFormatTag
        let takedown = t.choice("takedown", default: D.takedownStyle)
        let testMode = t.bool("test_mode") ?? D.testMode
        let commission = t.int("commission_bp", range: 0...10_000)
        let transport = transport(t, baseFolder: baseFolder)
        let retry = retry(t)
        let acks = acks(t)
        let dsr = dsr(t)

        guard let dpid, let recipientName, let transport else { return nil }
        return DSPProfile(
            name: name, enabled: enabled, recipientDPID: dpid, recipientName: recipientName, ernVersion: ern,
            choreography: choreography, priorityPrefix: prefix, territories: TerritorySet(included: included, excluded: excluded),
            commercialModels: models, useTypes: useTypes, hashAlgorithms: hashes, resourceNaming: naming,
            coverMinPixels: cover.min, coverMaxPixels: cover.max, coverFormats: cover.formats, coverMustBeSquare: cover.square,
            audioFormats: audioFormats, audioBitDepths: bitDepths, audioSampleRates: rates, wavRequirePCMFormatTag: pcmTag,
            takedownStyle: takedown, testMode: testMode, transport: transport, retry: retry, ackFolder: acks.folder,
            ackPollSeconds: acks.poll, ackDeadlineHours: acks.deadline, dsrFolder: dsr.folder, dsrPollSeconds: dsr.poll,
            dsrAfterFetch: dsr.afterFetch, commissionBasisPoints: commission)
    }

    /// `hash_algorithms`: at least one, and SHA-256 only where the ERN version allows it.
    private static func hashAlgorithms(_ t: TableReader, ern: ERNVersion) -> [HashAlgorithm] {
        var hashes = DSPProfile.Defaults.hashAlgorithms
        if let names = t.stringArray("hash_algorithms") {
            hashes = []
            for n in names {
                guard let h = HashAlgorithm(rawValue: n) else {
                    t.report(.configInvalidValue, "hash_algorithms", "'\(n)' is not one of 'MD5', 'SHA-256'")
                    continue
                }
                hashes.append(h)
            }
            if hashes.isEmpty { t.report(.configInvalidValue, "hash_algorithms", "at least one hash algorithm is needed") }
        }
        if ern == .ern382, hashes.contains(.sha256) {
            t.report(.configInvalidValue, "hash_algorithms", "SHA-256 is not in the ERN 3.8.2 allowed values; use MD5")
        }
        return hashes
    }

    private static func coverRules(_ t: TableReader) -> (min: Int, max: Int?, formats: [ImageDetails.Codec], square: Bool) {
        let coverMin = t.int("cover_min_pixels", range: 1...100_000) ?? DSPProfile.Defaults.coverMinPixels
        let coverMax = t.int("cover_max_pixels", range: 1...100_000)
        if let coverMax, coverMax < coverMin { t.report(.configInvalidValue, "cover_max_pixels", "is smaller than cover_min_pixels") }
        var formats = DSPProfile.Defaults.coverFormats
        if let names = t.stringArray("cover_formats") {
            formats = names.compactMap { n in
                guard let c = ImageDetails.Codec(rawValue: n) else {
                    t.report(.configInvalidValue, "cover_formats", "'\(n)' is not one of 'JPEG', 'PNG'")
                    return nil
                }
                return c
            }
        }
        let square = t.bool("cover_square") ?? DSPProfile.Defaults.coverMustBeSquare
        return (coverMin, coverMax, formats, square)
    }

    /// `audio_formats`: `FLAC` and `WAV` (`PCM` is taken too).
    private static func audioFormats(_ t: TableReader) -> [AudioDetails.Codec] {
        guard let names = t.stringArray("audio_formats") else { return DSPProfile.Defaults.audioFormats }
        return names.compactMap { n in
            switch n {
            case "FLAC": return .flac
            case "WAV", "PCM": return .pcm
            default:
                t.report(.configInvalidValue, "audio_formats", "'\(n)' is not one of 'FLAC', 'WAV'")
                return nil
            }
        }
    }

    /// The required `[transport]` table; paths are resolved against the profile's folder.
    private static func transport(_ t: TableReader, baseFolder: String) -> TransportSettings? {
        guard let tr = t.table("transport", required: true) else { return nil }
        defer { tr.rejectUnknownKeys() }
        let kind = tr.choice("kind", default: TransportSettings.Defaults.kind)
        let root = tr.string("remote_root", required: true)
        var settings = TransportSettings(kind: kind, remoteRoot: root ?? "")
        settings.connectTimeoutSeconds = tr.int("connect_timeout_seconds", range: 1...600) ?? settings.connectTimeoutSeconds
        settings.maxSessions = tr.int("max_sessions", range: 1...64) ?? settings.maxSessions
        switch kind {
        case .sftp:
            settings.host = tr.string("host", required: true)
            settings.port = tr.int("port", range: 1...65_535) ?? settings.port
            settings.user = tr.string("user", required: true)
            settings.privateKey = tr.string("private_key", required: true).map { ConfigurationLoader.resolve($0, against: baseFolder) }
            settings.knownHosts = tr.string("known_hosts", required: true).map { ConfigurationLoader.resolve($0, against: baseFolder) }
        case .local:
            if let root { settings.remoteRoot = ConfigurationLoader.resolve(root, against: baseFolder) }
        }
        return root == nil ? nil : settings
    }

    private static func retry(_ t: TableReader) -> RetryPolicy {
        var retry = RetryPolicy()
        guard let r = t.table("retry") else { return retry }
        retry.maxAttempts = r.int("max_attempts", range: 1...1000) ?? retry.maxAttempts
        retry.initialDelaySeconds = r.double("initial_delay_seconds") ?? retry.initialDelaySeconds
        retry.maxDelaySeconds = r.double("max_delay_seconds") ?? retry.maxDelaySeconds
        if retry.initialDelaySeconds <= 0 || retry.maxDelaySeconds < retry.initialDelaySeconds {
            r.report(.configInvalidValue, "initial_delay_seconds", "delays must be positive and max_delay_seconds ≥ initial_delay_seconds")
        }
        r.rejectUnknownKeys()
        return retry
    }

    private static func acks(_ t: TableReader) -> (folder: String?, poll: Int, deadline: Int) {
        let defaults = (folder: String?.none, poll: DSPProfile.Defaults.ackPollSeconds, deadline: DSPProfile.Defaults.ackDeadlineHours)
        guard let a = t.table("acks") else { return defaults }
        defer { a.rejectUnknownKeys() }
        return (a.string("folder"), a.int("poll_seconds", range: 1...86_400) ?? defaults.poll,
                a.int("ack_deadline_hours", range: 1...8760) ?? defaults.deadline)
    }

    private static func dsr(_ t: TableReader) -> (folder: String?, poll: Int, afterFetch: DSPProfile.DSRAfterFetch) {
        let defaults = (folder: String?.none, poll: DSPProfile.Defaults.dsrPollSeconds, afterFetch: DSPProfile.Defaults.dsrAfterFetch)
        guard let d = t.table("dsr") else { return defaults }
        defer { d.rejectUnknownKeys() }
        return (d.string("folder"), d.int("poll_seconds", range: 1...604_800) ?? defaults.poll,
                d.choice("after_fetch", default: defaults.afterFetch))
    }

    private static func territories(_ t: TableReader, _ key: String) -> [Territory]? {
        guard let codes = t.stringArray(key) else { return nil }
        var out: [Territory] = []
        for code in codes {
            do { out.append(try Territory(validating: code)) } catch { t.report(.configInvalidValue, key, error.description) }
        }
        return out
    }

    private static func allowed(_ t: TableReader, _ key: String, _ values: Set<String>) -> [String] {
        guard let list = t.stringArray(key) else { return [] }
        for v in list where !values.contains(v) {
            t.report(.configInvalidValue, key, "'\(v)' is not a DDEX allowed value here")
        }
        return list.filter(values.contains)
    }
}
